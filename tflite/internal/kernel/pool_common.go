package kernel

import (
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Pool2DOptions are the options AVERAGE_POOL_2D and MAX_POOL_2D share.
type Pool2DOptions struct {
	Padding    schema.Padding
	StrideH    int
	StrideW    int
	FilterH    int
	FilterW    int
	Activation schema.ActivationFunctionType
}

// parsePool2DOptions reads Pool2DOptions. A pooling operator without options
// has no window, so a nil op is the only case that yields the (invalid for
// prepare) zero value.
func parsePool2DOptions(op *schema.Operator) (Pool2DOptions, error) {
	if op == nil {
		return Pool2DOptions{}, nil
	}
	o, err := readOptions[schema.Pool2DOptions](op, schema.BuiltinOptionsPool2DOptions)
	if err != nil {
		return Pool2DOptions{}, err
	}
	return Pool2DOptions{
		Padding:    o.Padding(),
		StrideH:    int(o.StrideH()),
		StrideW:    int(o.StrideW()),
		FilterH:    int(o.FilterHeight()),
		FilterW:    int(o.FilterWidth()),
		Activation: o.FusedActivationFunction(),
	}, nil
}

// poolGeometry is the NHWC geometry of a 2-D pooling window sweep.
type poolGeometry struct {
	batches, inH, inW, depth int
	outH, outW               int
	strideH, strideW         int
	filterH, filterW         int
	padH, padW               int
}

// newPoolGeometry validates a pooling node's shapes against its options, as
// TFLite's pooling Prepare does, and returns the sweep geometry.
func newPoolGeometry(n *Node, opts Pool2DOptions) (poolGeometry, error) {
	if err := n.CheckArity(1, 1, 1); err != nil {
		return poolGeometry{}, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if len(in.Shape) != 4 {
		return poolGeometry{}, n.Errorf("input %q has shape %s, want 4-D NHWC", in.Name, tensor.ShapeString(in.Shape))
	}
	if out.Type != in.Type {
		return poolGeometry{}, n.Errorf("output %q is %s, input %q is %s", out.Name, out.Type, in.Name, in.Type)
	}
	if opts.Padding != schema.PaddingSAME && opts.Padding != schema.PaddingVALID {
		return poolGeometry{}, n.Errorf("padding %d is neither SAME nor VALID", opts.Padding)
	}
	if opts.StrideH < 1 || opts.StrideW < 1 {
		return poolGeometry{}, n.Errorf("stride %dx%d, want both >= 1", opts.StrideH, opts.StrideW)
	}
	if opts.FilterH < 1 || opts.FilterW < 1 {
		return poolGeometry{}, n.Errorf("filter %dx%d, want both >= 1", opts.FilterH, opts.FilterW)
	}
	g := poolGeometry{
		batches: in.Shape[0], inH: in.Shape[1], inW: in.Shape[2], depth: in.Shape[3],
		strideH: opts.StrideH, strideW: opts.StrideW,
		filterH: opts.FilterH, filterW: opts.FilterW,
	}
	g.outH = computeOutSize(opts.Padding, g.inH, g.filterH, g.strideH, 1)
	g.outW = computeOutSize(opts.Padding, g.inW, g.filterW, g.strideW, 1)
	if g.outH < 1 || g.outW < 1 {
		return poolGeometry{}, n.Errorf("filter %dx%d does not fit input %q %s with %s padding",
			g.filterH, g.filterW, in.Name, tensor.ShapeString(in.Shape), schema.EnumNamesPadding[opts.Padding])
	}
	g.padH = computePadding(opts.Padding, g.strideH, 1, g.inH, g.filterH, g.outH)
	g.padW = computePadding(opts.Padding, g.strideW, 1, g.inW, g.filterW, g.outW)
	want := []int{g.batches, g.outH, g.outW, g.depth}
	if !equalShape(out.Shape, want) {
		return poolGeometry{}, n.Errorf("output %q has shape %s, pooling computes %s",
			out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	return g, nil
}

// window returns the part of the filter that lies inside the input for the
// output cell (oy, ox): filter rows [fy0, fy1), columns [fx0, fx1), and the
// input coordinates (iy, ix) of filter cell (0, 0).
func (g *poolGeometry) window(oy, ox int) (iy, ix, fy0, fy1, fx0, fx1 int) {
	iy = oy*g.strideH - g.padH
	ix = ox*g.strideW - g.padW
	fy0 = max(0, -iy)
	fy1 = min(g.filterH, g.inH-iy)
	fx0 = max(0, -ix)
	fx1 = min(g.filterW, g.inW-ix)
	return iy, ix, fy0, fy1, fx0, fx1
}

// equalShape reports whether two shapes are identical.
func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkBound verifies before an Eval that tensors carry the bytes their
// shapes promise, so that a mis-bound tensor returns an error instead of
// panicking on an index.
func checkBound(n *Node, ts ...*tensor.Tensor) error {
	for _, t := range ts {
		if t != nil && len(t.Data) < t.ByteSize() {
			return n.Errorf("tensor %q has %d bytes, shape %s needs %d", t.Name, len(t.Data), tensor.ShapeString(t.Shape), t.ByteSize())
		}
	}
	return nil
}

// dataAs views a tensor's bytes as elements of T without copying. The
// caller picks T from the tensor's checked dtype; the loader aligns Data.
func dataAs[T any](t *tensor.Tensor) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(t.Data) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(t.Data))), len(t.Data)/size)
}
