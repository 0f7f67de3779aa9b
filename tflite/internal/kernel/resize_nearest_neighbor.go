package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ResizeNearestNeighborOptions holds RESIZE_NEAREST_NEIGHBOR's options.
type ResizeNearestNeighborOptions struct {
	AlignCorners     bool
	HalfPixelCenters bool
}

// parseResizeNearestNeighborOptions reads ResizeNearestNeighborOptions; a
// missing table means both flags off.
func parseResizeNearestNeighborOptions(op *schema.Operator) (ResizeNearestNeighborOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return ResizeNearestNeighborOptions{}, nil
	}
	o, err := readOptions[schema.ResizeNearestNeighborOptions](op, schema.BuiltinOptionsResizeNearestNeighborOptions)
	if err != nil {
		return ResizeNearestNeighborOptions{}, err
	}
	return ResizeNearestNeighborOptions{AlignCorners: o.AlignCorners(), HalfPixelCenters: o.HalfPixelCenters()}, nil
}

// prepareResizeNearestNeighbor validates a RESIZE_NEAREST_NEIGHBOR node.
func prepareResizeNearestNeighbor(n *Node) (Op, error) {
	opts, err := parseResizeNearestNeighborOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newResizeNearestNeighbor(n, opts)
}

// newResizeNearestNeighbor precomputes, for each output row and column, the
// input row and column it copies. Elements are copied raw, so every
// fixed-size type works; TFLite runs float32, int8, uint8 and int16.
func newResizeNearestNeighbor(n *Node, opts ResizeNearestNeighborOptions) (Op, error) {
	g, err := newResizeGeometry(n, opts.AlignCorners, opts.HalfPixelCenters)
	if err != nil {
		return nil, err
	}
	in := n.Inputs[0]
	switch in.Type {
	case tensor.Float32, tensor.Int8, tensor.Uint8, tensor.Int16:
	default:
		return nil, n.Unsupportedf("input %q type %s (want float32, int8, uint8 or int16)", in.Name, in.Type)
	}
	r := &resizeNearest{n: n, g: g, in: in, out: n.Outputs[0], pixel: g.depth * in.Type.Size()}
	r.ys = nearestIndices(g.inH, g.outH, opts.AlignCorners, opts.HalfPixelCenters)
	r.xs = nearestIndices(g.inW, g.outW, opts.AlignCorners, opts.HalfPixelCenters)
	return r, nil
}

// nearestIndices is TFLite's GetNearestNeighbor for every output index:
// floor (or round, with align_corners) of the scaled coordinate.
func nearestIndices(in, out int, alignCorners, halfPixel bool) []int {
	scale := resizeScale(in, out, alignCorners)
	var offset float32
	if halfPixel {
		offset = 0.5
	}
	idx := make([]int, out)
	for i := range idx {
		v := float64(float32(float32(i)+offset) * scale)
		var j int
		if alignCorners {
			j = int(math.Round(v))
		} else {
			j = int(math.Floor(v))
		}
		j = min(j, in-1)
		if halfPixel {
			j = max(j, 0)
		}
		idx[i] = j
	}
	return idx
}

// resizeNearest copies whole pixels (all channels) at a time.
type resizeNearest struct {
	n       *Node
	g       resizeGeometry
	in, out *tensor.Tensor
	ys, xs  []int
	pixel   int // bytes per pixel
}

// Eval copies each output pixel from its nearest input pixel.
func (r *resizeNearest) Eval() error {
	if err := checkBound(r.n, r.in, r.out); err != nil {
		return err
	}
	src, dst := r.in.Data, r.out.Data
	g := &r.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for _, y := range r.ys {
			row := (b*g.inH + y) * g.inW
			for _, x := range r.xs {
				s := (row + x) * r.pixel
				o += copy(dst[o:o+r.pixel], src[s:s+r.pixel])
			}
		}
	}
	return nil
}
