package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareMaxPool2D validates a MAX_POOL_2D node.
func prepareMaxPool2D(n *Node) (Op, error) {
	opts, err := parsePool2DOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newMaxPool2D(n, opts)
}

// newMaxPool2D builds the op for int8, uint8 or float32 tensors. Quantized
// values are compared raw, without requantization, as in TFLite.
func newMaxPool2D(n *Node, opts Pool2DOptions) (Op, error) {
	g, err := newPoolGeometry(n, opts)
	if err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	switch in.Type {
	case tensor.Float32:
		lo, hi, err := floatActivationRange(n, opts.Activation)
		if err != nil {
			return nil, err
		}
		simd := intSIMD()
		return &maxPool[float32]{n: n, g: g, in: in, out: out, init: -math.MaxFloat32,
			maxInto: func(d, s []float32) { maxIntoF32s(d, s, simd) },
			clamp:   func(d []float32) { clampF32s(d, d, lo, hi, simd) }}, nil
	case tensor.Int8:
		lo, hi, err := quantizedActivationRange(n, opts.Activation, out)
		if err != nil {
			return nil, err
		}
		return newMaxPoolInt(n, g, in, out, int8(lo), int8(hi), math.MinInt8), nil
	case tensor.Uint8:
		lo, hi, err := quantizedActivationRange(n, opts.Activation, out)
		if err != nil {
			return nil, err
		}
		return newMaxPoolInt(n, g, in, out, uint8(lo), uint8(hi), 0), nil
	}
	return nil, n.Unsupportedf("input %q type %s (want float32, int8 or uint8)", in.Name, in.Type)
}

// maxPool is MAX_POOL_2D, channel-innermost: each output pixel starts at
// the type's lowest value and takes the maximum with every tap's run of
// channels, then the fused activation's clamp.
type maxPool[T int8 | uint8 | float32] struct {
	n       *Node
	g       poolGeometry
	in, out *tensor.Tensor
	init    T                  // the type's lowest value
	maxInto func(dst, src []T) // dst = max(dst, src), element-wise
	clamp   func(dst []T)      // the fused activation, in place
}

// newMaxPoolInt prepares MAX_POOL_2D on 8-bit integers.
func newMaxPoolInt[T int8 | uint8](n *Node, g poolGeometry, in, out *tensor.Tensor, lo, hi, init T) *maxPool[T] {
	simd := intSIMD()
	return &maxPool[T]{n: n, g: g, in: in, out: out, init: init,
		maxInto: func(d, s []T) { maxIntoInts(d, s, simd) },
		clamp: func(d []T) {
			for i, v := range d {
				d[i] = min(max(v, lo), hi)
			}
		}}
}

// Eval computes the output.
func (p *maxPool[T]) Eval() error {
	if err := checkBound(p.n, p.in, p.out); err != nil {
		return err
	}
	src, dst := dataAs[T](p.in), dataAs[T](p.out)
	g := &p.g
	D := g.depth
	o := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			for ox := 0; ox < g.outW; ox++ {
				iy, ix, fy0, fy1, fx0, fx1 := g.window(oy, ox)
				d := dst[o : o+D]
				for i := range d {
					d[i] = p.init
				}
				for fy := fy0; fy < fy1; fy++ {
					row := ((b*g.inH+iy+fy)*g.inW + ix) * D
					for fx := fx0; fx < fx1; fx++ {
						p.maxInto(d, src[row+fx*D:row+fx*D+D])
					}
				}
				p.clamp(d)
				o += D
			}
		}
	}
	return nil
}
