package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// LeakyReluOptions are LEAKY_RELU's builtin options.
type LeakyReluOptions struct {
	Alpha float32
}

// parseLeakyReluOptions reads LEAKY_RELU options; a nil operator or one
// without options has alpha 0, TFLite's zero-initialised default.
func parseLeakyReluOptions(op *schema.Operator) (LeakyReluOptions, error) {
	var opts LeakyReluOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.LeakyReluOptions](op, schema.BuiltinOptionsLeakyReluOptions)
	if err != nil {
		return opts, err
	}
	opts.Alpha = o.Alpha()
	return opts, nil
}

// prepareLeakyRelu validates a LEAKY_RELU node and prepares its kernel.
func prepareLeakyRelu(n *Node) (Op, error) {
	opts, err := parseLeakyReluOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newLeakyRelu(n, opts)
}

// newLeakyRelu prepares LEAKY_RELU: x for x >= 0, alpha·x otherwise.
//
// uint8 follows TF 2.2's legacy kernel: non-negative inputs are copied raw
// (no requantization), negative ones are multiplied by alpha quantized on the
// input's scale and requantized by in_scale²/out_scale. TF 2.2 has no int8
// LEAKY_RELU; int8 follows later TFLite (and tflite-micro): each branch
// requantizes with its own multiplier, in_scale/out_scale and
// in_scale·alpha/out_scale.
func newLeakyRelu(n *Node, opts LeakyReluOptions) (Op, error) {
	if err := n.CheckArity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if out.Type != in.Type {
		return nil, n.Errorf("output %q has type %s, input %q has %s", out.Name, out.Type, in.Name, in.Type)
	}
	if !tensor.SameShape(in, out) {
		return nil, n.Errorf("output %q has shape %s, want input %q's %s", out.Name, tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape))
	}
	if math.IsNaN(float64(opts.Alpha)) || math.IsInf(float64(opts.Alpha), 0) {
		return nil, n.Errorf("alpha is %g, want a finite value", opts.Alpha)
	}
	switch in.Type {
	case tensor.Float32:
		return &leakyReluFloat{in: in, out: out, alpha: opts.Alpha}, nil
	case tensor.Int8:
		p, err := newLeakyReluParams(n, in, out, opts.Alpha)
		if err != nil {
			return nil, err
		}
		return &leakyReluQuant[int8]{in: in, out: out, p: p}, nil
	case tensor.Uint8:
		p, err := newLeakyReluLegacyParams(n, in, out, opts.Alpha)
		if err != nil {
			return nil, err
		}
		return &leakyReluLegacy{in: in, out: out, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

type leakyReluParams struct {
	inZP, outZP           int32
	identMult, alphaMult  int32
	identShift, alphaShft int
	lo, hi                int32
}

func newLeakyReluParams(n *Node, in, out *tensor.Tensor, alpha float32) (leakyReluParams, error) {
	for _, t := range []*tensor.Tensor{in, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return leakyReluParams{}, err
		}
	}
	p := leakyReluParams{inZP: in.ZeroPointAt(0), outZP: out.ZeroPointAt(0), lo: -128, hi: 127}
	p.alphaMult, p.alphaShft = fixedpoint.QuantizeMultiplier(float64(in.Scale[0] * alpha / out.Scale[0]))
	p.identMult, p.identShift = fixedpoint.QuantizeMultiplier(float64(in.Scale[0] / out.Scale[0]))
	return p, nil
}

// leakyReluQuant is LEAKY_RELU on int8.
type leakyReluQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	p       leakyReluParams
}

// Eval computes the output.
func (k *leakyReluQuant[T]) Eval() error {
	x, y := ewElems[T](k.in), ewElems[T](k.out)
	p := &k.p
	for i, v := range x {
		d := int32(v) - p.inZP
		var o int32
		if d >= 0 {
			o = fixedpoint.MultiplyByQuantizedMultiplier(d, p.identMult, p.identShift)
		} else {
			o = fixedpoint.MultiplyByQuantizedMultiplier(d, p.alphaMult, p.alphaShft)
		}
		y[i] = T(min(max(o+p.outZP, p.lo), p.hi))
	}
	return nil
}

// leakyReluLegacyParams are TF 2.2's uint8 LeakyRelu parameters.
type leakyReluLegacyParams struct {
	inZP, outZP int32
	alpha       int32 // alpha quantized on the input scale, minus its zero point
	mult        int32
	shift       int
}

func newLeakyReluLegacyParams(n *Node, in, out *tensor.Tensor, alpha float32) (leakyReluLegacyParams, error) {
	for _, t := range []*tensor.Tensor{in, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return leakyReluLegacyParams{}, err
		}
	}
	inZP := in.ZeroPointAt(0)
	// q_alpha = clamp(round(zp + alpha/scale)) in float, as a uint8.
	qAlpha := float32(math.Round(float64(float32(inZP) + alpha/in.Scale[0])))
	qAlpha = min(max(qAlpha, 0), 255)
	real := float64(in.Scale[0] * in.Scale[0] / out.Scale[0])
	mult, shift := fixedpoint.QuantizeMultiplier(real)
	if shift > 0 {
		return leakyReluLegacyParams{}, n.Unsupportedf("uint8 rescale multiplier %g (input scale² / output scale) is not below 1", real)
	}
	return leakyReluLegacyParams{inZP: inZP, outZP: out.ZeroPointAt(0), alpha: int32(qAlpha) - inZP, mult: mult, shift: shift}, nil
}

// leakyReluLegacy is LEAKY_RELU on uint8, TF 2.2's way.
type leakyReluLegacy struct {
	in, out *tensor.Tensor
	p       leakyReluLegacyParams
}

// Eval computes the output.
func (k *leakyReluLegacy) Eval() error {
	x, y := k.in.Uint8(), k.out.Uint8()
	p := &k.p
	for i, v := range x {
		d := int32(v) - p.inZP
		if d >= 0 {
			y[i] = v
			continue
		}
		o := p.outZP + fixedpoint.MultiplyByQuantizedMultiplier(d*p.alpha, p.mult, p.shift)
		y[i] = uint8(min(max(o, 0), 255))
	}
	return nil
}

// leakyReluFloat is LEAKY_RELU on float32.
type leakyReluFloat struct {
	in, out *tensor.Tensor
	alpha   float32
}

// Eval computes the output.
func (k *leakyReluFloat) Eval() error {
	x, y := k.in.Float32(), k.out.Float32()
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = v * k.alpha
		}
	}
	return nil
}
