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
		return &maxPool[float32]{n: n, g: g, in: in, out: out, lo: lo, hi: hi, init: -math.MaxFloat32}, nil
	case tensor.Int8:
		lo, hi, err := quantizedActivationRange(n, opts.Activation, out)
		if err != nil {
			return nil, err
		}
		return &maxPool[int8]{n: n, g: g, in: in, out: out, lo: int8(lo), hi: int8(hi), init: math.MinInt8}, nil
	case tensor.Uint8:
		lo, hi, err := quantizedActivationRange(n, opts.Activation, out)
		if err != nil {
			return nil, err
		}
		return &maxPool[uint8]{n: n, g: g, in: in, out: out, lo: uint8(lo), hi: uint8(hi), init: 0}, nil
	}
	return nil, n.Unsupportedf("input %q type %s (want float32, int8 or uint8)", in.Name, in.Type)
}

// maxPool takes the maximum of each window and clamps it to the fused
// activation's range.
type maxPool[T int8 | uint8 | float32] struct {
	n       *Node
	g       poolGeometry
	in, out *tensor.Tensor
	lo, hi  T
	init    T // the type's lowest value
}

// Eval runs the window sweep.
func (p *maxPool[T]) Eval() error {
	if err := checkBound(p.n, p.in, p.out); err != nil {
		return err
	}
	src, dst := dataAs[T](p.in), dataAs[T](p.out)
	g := &p.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			for ox := 0; ox < g.outW; ox++ {
				iy, ix, fy0, fy1, fx0, fx1 := g.window(oy, ox)
				for c := 0; c < g.depth; c++ {
					m := p.init
					for fy := fy0; fy < fy1; fy++ {
						row := ((b*g.inH+iy+fy)*g.inW + ix) * g.depth
						for fx := fx0; fx < fx1; fx++ {
							m = max(m, src[row+fx*g.depth+c])
						}
					}
					dst[o] = min(max(m, p.lo), p.hi)
					o++
				}
			}
		}
	}
	return nil
}
