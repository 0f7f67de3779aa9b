package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ResizeBilinearOptions holds RESIZE_BILINEAR's options.
type ResizeBilinearOptions struct {
	AlignCorners     bool
	HalfPixelCenters bool
}

// parseResizeBilinearOptions reads ResizeBilinearOptions; a missing table
// means both flags off.
func parseResizeBilinearOptions(op *schema.Operator) (ResizeBilinearOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return ResizeBilinearOptions{}, nil
	}
	o, err := readOptions[schema.ResizeBilinearOptions](op, schema.BuiltinOptionsResizeBilinearOptions)
	if err != nil {
		return ResizeBilinearOptions{}, err
	}
	return ResizeBilinearOptions{AlignCorners: o.AlignCorners(), HalfPixelCenters: o.HalfPixelCenters()}, nil
}

// prepareResizeBilinear validates a RESIZE_BILINEAR node.
func prepareResizeBilinear(n *Node) (Op, error) {
	opts, err := parseResizeBilinearOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newResizeBilinear(n, opts)
}

// resizeGeometry is the NHWC geometry shared by both resize ops.
type resizeGeometry struct {
	batches, inH, inW, depth, outH, outW int
}

// newResizeGeometry checks a 4-D input, a constant int32 [2] size input and
// an output of shape [batch, size[0], size[1], depth] with the input's type.
func newResizeGeometry(n *Node, alignCorners, halfPixel bool) (resizeGeometry, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return resizeGeometry{}, err
	}
	in, size, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if len(in.Shape) != 4 {
		return resizeGeometry{}, n.Errorf("input %q has shape %s, want 4-D NHWC", in.Name, tensor.ShapeString(in.Shape))
	}
	if out.Type != in.Type {
		return resizeGeometry{}, n.Errorf("output %q is %s, input %q is %s", out.Name, out.Type, in.Name, in.Type)
	}
	if alignCorners && halfPixel {
		return resizeGeometry{}, n.Errorf("align_corners and half_pixel_centers are both set")
	}
	if size.Type != tensor.Int32 || len(size.Shape) != 1 || size.Shape[0] != 2 {
		return resizeGeometry{}, n.Errorf("size %q is %s %s, want int32 [2]", size.Name, size.Type, tensor.ShapeString(size.Shape))
	}
	if !size.Const || len(size.Data) < 8 {
		return resizeGeometry{}, n.Unsupportedf("size %q is not a constant (dynamic output shape)", size.Name)
	}
	hw := size.Int32()
	g := resizeGeometry{batches: in.Shape[0], inH: in.Shape[1], inW: in.Shape[2], depth: in.Shape[3], outH: int(hw[0]), outW: int(hw[1])}
	if g.outH < 1 || g.outW < 1 || g.inH < 1 || g.inW < 1 {
		return resizeGeometry{}, n.Errorf("resize of %q %s to %dx%d: sizes must be positive", in.Name, tensor.ShapeString(in.Shape), g.outH, g.outW)
	}
	want := []int{g.batches, g.outH, g.outW, g.depth}
	if !equalShape(out.Shape, want) {
		return resizeGeometry{}, n.Errorf("output %q has shape %s, resize gives %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	return g, nil
}

// resizeScale is TFLite's input/output coordinate ratio, in float32.
func resizeScale(in, out int, alignCorners bool) float32 {
	if alignCorners && out > 1 {
		return float32(in-1) / float32(out-1)
	}
	return float32(in) / float32(out)
}

// bilinearTap is one output coordinate's two input neighbours and the
// interpolation position.
type bilinearTap struct {
	lo, hi int
	// frac is input coordinate minus lo; it may fall outside [0,1] with
	// half-pixel centers at the borders, as in TFLite 2.2.
	frac float32
}

// bilinearTaps computes TFLite's ComputeInterpolationValues for every
// output coordinate along one axis.
func bilinearTaps(in, out int, alignCorners, halfPixel bool) []bilinearTap {
	scale := resizeScale(in, out, alignCorners)
	taps := make([]bilinearTap, out)
	for i := range taps {
		var v float32
		if halfPixel {
			v = float32(float32(float32(i)+0.5)*scale) - 0.5
		} else {
			v = float32(float32(i) * scale)
		}
		lo := max(int(math.Floor(float64(v))), 0)
		hi := min(int(math.Ceil(float64(v))), in-1)
		taps[i] = bilinearTap{lo: lo, hi: hi, frac: v - float32(lo)}
	}
	return taps
}

// newResizeBilinear builds the op. The arithmetic follows TFLite 2.2, the
// version our goldens come from, which computes in float for every type:
//   - float32 and uint8 use the optimized kernel's form, the sum of the
//     four corners times precomputed corner weights; uint8 truncates
//     (newer TFLite adds 0.5 first; 2.2 does not, as its outputs show);
//   - int8 uses the reference kernel's form, each corner times (1-dy) then
//     times (1-dx), summed in the order (y0,x0) (y1,x0) (y0,x1) (y1,x1),
//     truncated toward zero.
//
// Newer TFLite computes int8 with 10-bit fixed-point weights instead; we
// deliberately do not, so results equal TFLite 2.2's.
func newResizeBilinear(n *Node, opts ResizeBilinearOptions) (Op, error) {
	g, err := newResizeGeometry(n, opts.AlignCorners, opts.HalfPixelCenters)
	if err != nil {
		return nil, err
	}
	r := &resizeBilinear{
		n: n, g: g, in: n.Inputs[0], out: n.Outputs[0],
		ys: bilinearTaps(g.inH, g.outH, opts.AlignCorners, opts.HalfPixelCenters),
		xs: bilinearTaps(g.inW, g.outW, opts.AlignCorners, opts.HalfPixelCenters),
	}
	switch r.in.Type {
	case tensor.Float32:
		r.run = bilinearWeighted[float32]
	case tensor.Uint8:
		r.run = bilinearWeighted[uint8]
		r.integer = true
	case tensor.Int8:
		r.run = bilinearReferenceInt8
	default:
		return nil, n.Unsupportedf("input %q type %s (want float32, int8 or uint8)", r.in.Name, r.in.Type)
	}
	return r, nil
}

// resizeBilinear interpolates between the four nearest input pixels.
type resizeBilinear struct {
	n       *Node
	g       resizeGeometry
	in, out *tensor.Tensor
	ys, xs  []bilinearTap
	integer bool // round half up, as the uint8 kernel adds 0.5
	run     func(r *resizeBilinear)
}

// Eval runs the type's loop chosen in prepare.
func (r *resizeBilinear) Eval() error {
	if err := checkBound(r.n, r.in, r.out); err != nil {
		return err
	}
	r.run(r)
	return nil
}

// bilinearWeighted is TFLite 2.2's optimized form (float32 and uint8).
func bilinearWeighted[T float32 | uint8](r *resizeBilinear) {
	src, dst := dataAs[T](r.in), dataAs[T](r.out)
	g := &r.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for _, y := range r.ys {
			row0 := (b*g.inH + y.lo) * g.inW
			row1 := (b*g.inH + y.hi) * g.inW
			for _, x := range r.xs {
				// Explicit float32 conversions stop multiply-add fusion.
				w00 := float32((1 - y.frac) * (1 - x.frac))
				w01 := float32((1 - y.frac) * x.frac)
				w10 := float32(y.frac * (1 - x.frac))
				w11 := float32(y.frac * x.frac)
				p00 := (row0 + x.lo) * g.depth
				p01 := (row0 + x.hi) * g.depth
				p10 := (row1 + x.lo) * g.depth
				p11 := (row1 + x.hi) * g.depth
				for c := 0; c < g.depth; c++ {
					v := float32(float32(src[p00+c])*w00) + float32(float32(src[p01+c])*w01)
					v = float32(v + float32(float32(src[p10+c])*w10))
					v = float32(v + float32(float32(src[p11+c])*w11))
					// Truncate through int32 so that out-of-range values
					// (half-pixel extrapolation at the borders) wrap like
					// C++'s cast on x86.
					if r.integer {
						dst[o] = T(int32(v))
					} else {
						dst[o] = T(v)
					}
					o++
				}
			}
		}
	}
}

// bilinearReferenceInt8 is TFLite 2.2's reference_ops::ResizeBilinear on
// int8.
func bilinearReferenceInt8(r *resizeBilinear) {
	src, dst := r.in.Int8(), r.out.Int8()
	g := &r.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for _, y := range r.ys {
			row0 := (b*g.inH + y.lo) * g.inW
			row1 := (b*g.inH + y.hi) * g.inW
			dy, ry := y.frac, 1-y.frac
			for _, x := range r.xs {
				dx, rx := x.frac, 1-x.frac
				p00 := (row0 + x.lo) * g.depth
				p10 := (row1 + x.lo) * g.depth
				p01 := (row0 + x.hi) * g.depth
				p11 := (row1 + x.hi) * g.depth
				for c := 0; c < g.depth; c++ {
					v := float32(float32(float32(src[p00+c])*ry) * rx)
					v = float32(v + float32(float32(float32(src[p10+c])*dy)*rx))
					v = float32(v + float32(float32(float32(src[p01+c])*ry)*dx))
					v = float32(v + float32(float32(float32(src[p11+c])*dy)*dx))
					dst[o] = int8(int32(v))
					o++
				}
			}
		}
	}
}
