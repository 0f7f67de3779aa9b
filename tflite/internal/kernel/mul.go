package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// MulOptions are MUL's builtin options.
type MulOptions struct {
	Activation schema.ActivationFunctionType
}

// parseMulOptions reads MUL options; a nil operator or one without options
// means no fused activation.
func parseMulOptions(op *schema.Operator) (MulOptions, error) {
	var opts MulOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.MulOptions](op, schema.BuiltinOptionsMulOptions)
	if err != nil {
		return opts, err
	}
	opts.Activation = o.FusedActivationFunction()
	return opts, nil
}

// prepareMul validates a MUL node and prepares its kernel.
func prepareMul(n *Node) (Op, error) {
	opts, err := parseMulOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newMul(n, opts)
}

// newMul prepares MUL: out = a × b with broadcasting, for float32, int8 and
// uint8 tensors.
func newMul(n *Node, opts MulOptions) (Op, error) {
	a, b, out, bc, err := ewBinaryOperands(n)
	if err != nil {
		return nil, err
	}
	switch a.Type {
	case tensor.Float32:
		lo, hi, err := floatActivationRange(n, opts.Activation)
		if err != nil {
			return nil, err
		}
		return &mulFloat{a: a, b: b, out: out, bc: bc, lo: lo, hi: hi}, nil
	case tensor.Int8:
		p, err := newMulParams(n, a, b, out, opts.Activation)
		if err != nil {
			return nil, err
		}
		return &mulQuant[int8]{a: a, b: b, out: out, bc: bc, p: p}, nil
	case tensor.Uint8:
		p, err := newMulParams(n, a, b, out, opts.Activation)
		if err != nil {
			return nil, err
		}
		return &mulQuant[uint8]{a: a, b: b, out: out, bc: bc, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", a.Name, a.Type)
}

// mulParams requantize the product of two offset inputs to the output.
type mulParams struct {
	in1Offset, in2Offset, outOffset int32
	mult                            int32
	shift                           int
	lo, hi                          int32
}

func newMulParams(n *Node, a, b, out *tensor.Tensor, act schema.ActivationFunctionType) (mulParams, error) {
	for _, t := range []*tensor.Tensor{a, b, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return mulParams{}, err
		}
	}
	// TFLite computes s1·s2/s_out in float before widening to double; the
	// rounding of that float product is part of the result.
	real := float64(a.Scale[0] * b.Scale[0] / out.Scale[0])
	mult, shift := fixedpoint.QuantizeMultiplier(real)
	if a.Type == tensor.Uint8 && shift > 0 {
		// TF 2.2's uint8 kernel applies the shift as a right shift only; a
		// multiplier of one or more makes it shift by a negative amount
		// and return just the sign of the product (zero point ± 1).
		// Refuse rather than reproduce that.
		return mulParams{}, n.Unsupportedf("uint8 output rescale multiplier %g >= 1 (input scales %g × %g, output scale %g)", real, a.Scale[0], b.Scale[0], out.Scale[0])
	}
	if mult == 0 {
		return mulParams{}, n.Unsupportedf("output rescale multiplier %g underflows", real)
	}
	lo, hi, err := quantizedActivationRange(n, act, out)
	if err != nil {
		return mulParams{}, err
	}
	return mulParams{
		in1Offset: -a.ZeroPointAt(0), in2Offset: -b.ZeroPointAt(0), outOffset: out.ZeroPointAt(0),
		mult: mult, shift: shift, lo: lo, hi: hi,
	}, nil
}

func (p *mulParams) apply(x, y int32) int32 {
	v := fixedpoint.MultiplyByQuantizedMultiplier((x+p.in1Offset)*(y+p.in2Offset), p.mult, p.shift) + p.outOffset
	return min(max(v, p.lo), p.hi)
}

// mulQuant is MUL on int8 or uint8 tensors.
type mulQuant[T ewQuant] struct {
	a, b, out *tensor.Tensor
	bc        *broadcast4
	p         mulParams
}

// Eval computes the output.
func (k *mulQuant[T]) Eval() error {
	x, y, o := ewElems[T](k.a), ewElems[T](k.b), ewElems[T](k.out)
	if k.bc.same {
		for i := range o {
			o[i] = T(k.p.apply(int32(x[i]), int32(y[i])))
		}
		return nil
	}
	k.bc.each(func(oi, i, j int) {
		o[oi] = T(k.p.apply(int32(x[i]), int32(y[j])))
	})
	return nil
}

// mulFloat is MUL on float32 tensors.
type mulFloat struct {
	a, b, out *tensor.Tensor
	bc        *broadcast4
	lo, hi    float32
}

// Eval computes the output.
func (k *mulFloat) Eval() error {
	x, y, o := k.a.Float32(), k.b.Float32(), k.out.Float32()
	if k.bc.same {
		for i := range o {
			o[i] = min(max(x[i]*y[i], k.lo), k.hi)
		}
		return nil
	}
	k.bc.each(func(oi, i, j int) {
		o[oi] = min(max(x[i]*y[j], k.lo), k.hi)
	})
	return nil
}
