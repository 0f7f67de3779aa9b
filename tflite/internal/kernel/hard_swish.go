package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareHardSwish validates a HARD_SWISH node; it has no options.
func prepareHardSwish(n *Node) (Op, error) {
	return newHardSwish(n)
}

// newHardSwish prepares HARD_SWISH: x·relu6(x+3)/6. Quantized tensors use
// TFLite's int16 fixed-point reference algorithm: the input on a "hires"
// scale (×128), a Q15 "reluish" factor in [0, 1] from the input rescaled so
// that 3.0 is 32768, and a final output multiplier and shift.
func newHardSwish(n *Node) (Op, error) {
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
	switch in.Type {
	case tensor.Float32:
		return &hardSwishFloat{in: in, out: out}, nil
	case tensor.Int8:
		p, err := newHardSwishParams(n, in, out)
		if err != nil {
			return nil, err
		}
		return &hardSwishQuant[int8]{in: in, out: out, p: p}, nil
	case tensor.Uint8:
		p, err := newHardSwishParams(n, in, out)
		if err != nil {
			return nil, err
		}
		return &hardSwishQuant[uint8]{in: in, out: out, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// hardSwishParams are TFLite's HardSwishParams.
type hardSwishParams struct {
	inZP, outZP      int16
	reluishMult      int16 // Q15
	reluishExponent  int
	outputMult       int16 // Q15
	outputExponent   int   // <= 0
	lo, hi           int16
	hiresInputFactor int16
}

func newHardSwishParams(n *Node, in, out *tensor.Tensor) (hardSwishParams, error) {
	for _, t := range []*tensor.Tensor{in, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return hardSwishParams{}, err
		}
	}
	// All in float, as TFLite's Prepare computes them.
	hiresInputScale := (1.0 / 128.0) * in.Scale[0]
	const reluishScale = float32(3.0 / 32768.0)
	p := hardSwishParams{inZP: int16(in.ZeroPointAt(0)), outZP: int16(out.ZeroPointAt(0)), lo: 0, hi: 255, hiresInputFactor: 1 << 7}
	if in.Type == tensor.Int8 {
		p.lo, p.hi = -128, 127
	}
	m, e := fixedpoint.QuantizeMultiplier(float64(hiresInputScale / out.Scale[0]))
	p.outputMult, p.outputExponent = fixedpoint.DownScaleInt32ToInt16Multiplier(m), e
	if e > 0 {
		return hardSwishParams{}, n.Unsupportedf("output rescale %g (input scale %g / 128 / output scale %g) is not below 1", hiresInputScale/out.Scale[0], in.Scale[0], out.Scale[0])
	}
	m, e = fixedpoint.QuantizeMultiplier(float64(hiresInputScale / reluishScale))
	p.reluishMult, p.reluishExponent = fixedpoint.DownScaleInt32ToInt16Multiplier(m), e
	if e > 15 || e < -15 {
		return hardSwishParams{}, n.Unsupportedf("reluish rescale exponent %d outside [-15, 15] (input scale %g)", e, in.Scale[0])
	}
	return p, nil
}

// apply computes one output value from an int32-widened raw input.
func (p *hardSwishParams) apply(raw int32) int16 {
	x := int16(raw) - p.inZP
	hires := x * p.hiresInputFactor
	preshiftOut := fixedpoint.SaturatingRoundingDoublingHighMul16(hires, p.outputMult)
	reluish := hires
	if p.reluishExponent > 0 {
		// Keep one bit of the left shift for after the multiply, so
		// saturation there is what decides the result.
		reluish = fixedpoint.SaturatingLeftShift16(reluish, p.reluishExponent-1)
	}
	reluish = fixedpoint.SaturatingRoundingDoublingHighMul16(reluish, p.reluishMult)
	if p.reluishExponent > 0 {
		reluish = fixedpoint.SaturatingLeftShift16(reluish, 1)
	}
	if p.reluishExponent < 0 {
		reluish = fixedpoint.RoundingDivideByPOT16(reluish, -p.reluishExponent)
	}
	// [-1, 1] in Q15 → [0, 1] in Q15.
	reluish = int16((int32(reluish) + 1<<15) >> 1)
	o := fixedpoint.SaturatingDoublingHighMul16(reluish, preshiftOut)
	o = fixedpoint.RoundingDivideByPOT16(o, -p.outputExponent) + p.outZP
	return min(max(o, p.lo), p.hi)
}

// hardSwishQuant is HARD_SWISH on int8 or uint8.
type hardSwishQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	p       hardSwishParams
}

// Eval computes the output.
func (k *hardSwishQuant[T]) Eval() error {
	x, y := ewElems[T](k.in), ewElems[T](k.out)
	for i, v := range x {
		y[i] = T(k.p.apply(int32(v)))
	}
	return nil
}

// hardSwishFloat is HARD_SWISH on float32.
type hardSwishFloat struct {
	in, out *tensor.Tensor
}

// Eval computes the output.
func (k *hardSwishFloat) Eval() error {
	x, y := k.in.Float32(), k.out.Float32()
	for i, v := range x {
		y[i] = v * min(6, max(0, v+3)) / 6
	}
	return nil
}
