package kernel

import "github.com/edgefleet/edgefleet/tflite/internal/tensor"

// prepareAveragePool2D validates an AVERAGE_POOL_2D node.
func prepareAveragePool2D(n *Node) (Op, error) {
	opts, err := parsePool2DOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newAveragePool2D(n, opts)
}

// newAveragePool2D builds the op for int8, uint8 or float32 tensors. The
// quantized kernels average raw quantized values without requantizing, as
// TFLite does, so input and output are expected to share scale and zero
// point; TFLite does not check it and neither do we.
func newAveragePool2D(n *Node, opts Pool2DOptions) (Op, error) {
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
		return &averagePoolFloat{n: n, g: g, in: in, out: out, lo: lo, hi: hi}, nil
	case tensor.Int8, tensor.Uint8:
		lo, hi, err := quantizedActivationRange(n, opts.Activation, out)
		if err != nil {
			return nil, err
		}
		if in.Type == tensor.Int8 {
			return &averagePoolQuant[int8]{n: n, g: g, in: in, out: out, lo: lo, hi: hi}, nil
		}
		return &averagePoolQuant[uint8]{n: n, g: g, in: in, out: out, lo: lo, hi: hi}, nil
	}
	return nil, n.Unsupportedf("input %q type %s (want float32, int8 or uint8)", in.Name, in.Type)
}

// averagePoolQuant averages int8 or uint8 values.
type averagePoolQuant[T int8 | uint8] struct {
	n       *Node
	g       poolGeometry
	in, out *tensor.Tensor
	lo, hi  int32
}

// Eval sums the in-bounds window cells and divides by their count, rounding
// half away from zero (TFLite's reference_integer_ops::AveragePool; for
// uint8 the sum is never negative so it equals the legacy +count/2 rule).
func (p *averagePoolQuant[T]) Eval() error {
	if err := checkBound(p.n, p.in, p.out); err != nil {
		return err
	}
	src := dataAs[T](p.in)
	dst := dataAs[T](p.out)
	g := &p.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			for ox := 0; ox < g.outW; ox++ {
				iy, ix, fy0, fy1, fx0, fx1 := g.window(oy, ox)
				count := int32((fy1 - fy0) * (fx1 - fx0))
				for c := 0; c < g.depth; c++ {
					var sum int32
					for fy := fy0; fy < fy1; fy++ {
						row := ((b*g.inH+iy+fy)*g.inW + ix) * g.depth
						for fx := fx0; fx < fx1; fx++ {
							sum += int32(src[row+fx*g.depth+c])
						}
					}
					var avg int32
					if sum > 0 {
						avg = (sum + count/2) / count
					} else {
						avg = (sum - count/2) / count
					}
					dst[o] = T(min(max(avg, p.lo), p.hi))
					o++
				}
			}
		}
	}
	return nil
}

// averagePoolFloat averages float32 values.
type averagePoolFloat struct {
	n       *Node
	g       poolGeometry
	in, out *tensor.Tensor
	lo, hi  float32
}

// Eval divides the sum of the in-bounds window cells by their count.
func (p *averagePoolFloat) Eval() error {
	if err := checkBound(p.n, p.in, p.out); err != nil {
		return err
	}
	src, dst := p.in.Float32(), p.out.Float32()
	g := &p.g
	o := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			for ox := 0; ox < g.outW; ox++ {
				iy, ix, fy0, fy1, fx0, fx1 := g.window(oy, ox)
				count := float32((fy1 - fy0) * (fx1 - fx0))
				for c := 0; c < g.depth; c++ {
					var sum float32
					for fy := fy0; fy < fy1; fy++ {
						row := ((b*g.inH+iy+fy)*g.inW + ix) * g.depth
						for fx := fx0; fx < fx1; fx++ {
							sum += src[row+fx*g.depth+c]
						}
					}
					dst[o] = min(max(sum/count, p.lo), p.hi)
					o++
				}
			}
		}
	}
	return nil
}
