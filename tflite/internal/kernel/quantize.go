package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareQuantize validates a QUANTIZE node; it has no options.
func prepareQuantize(n *Node) (Op, error) {
	return newQuantize(n)
}

// newQuantize prepares QUANTIZE: float32 → int8/uint8 (affine quantization,
// rounding half away from zero), or int8/uint8 → int8/uint8 (requantization
// by in_scale/out_scale with TFLite's fixed-point multiplier).
func newQuantize(n *Node) (Op, error) {
	if err := n.CheckArity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if !tensor.SameShape(in, out) {
		return nil, n.Errorf("output %q has shape %s, want input %q's %s", out.Name, tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape))
	}
	if out.Type != tensor.Int8 && out.Type != tensor.Uint8 {
		return nil, n.Unsupportedf("output %q has type %s, want int8 or uint8", out.Name, out.Type)
	}
	if err := ewCheckPerTensor(n, out); err != nil {
		return nil, err
	}
	switch in.Type {
	case tensor.Float32:
		p := quantizeParams{scale: float64(out.Scale[0]), zp: out.ZeroPointAt(0)}
		if out.Type == tensor.Int8 {
			return &quantizeFloat[int8]{in: in, out: out, p: p}, nil
		}
		return &quantizeFloat[uint8]{in: in, out: out, p: p}, nil
	case tensor.Int8, tensor.Uint8:
		if err := ewCheckPerTensor(n, in); err != nil {
			return nil, err
		}
		mult, shift := fixedpoint.QuantizeMultiplier(float64(in.Scale[0]) / float64(out.Scale[0]))
		p := requantizeParams{inZP: in.ZeroPointAt(0), outZP: out.ZeroPointAt(0), mult: mult, shift: shift}
		switch {
		case in.Type == tensor.Int8 && out.Type == tensor.Int8:
			return &requantize[int8, int8]{in: in, out: out, p: p}, nil
		case in.Type == tensor.Int8:
			return &requantize[int8, uint8]{in: in, out: out, p: p}, nil
		case out.Type == tensor.Int8:
			return &requantize[uint8, int8]{in: in, out: out, p: p}, nil
		}
		return &requantize[uint8, uint8]{in: in, out: out, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

type quantizeParams struct {
	scale float64 // TFLite divides by the scale held as a double
	zp    int32
}

// quantizeFloat is QUANTIZE from float32.
type quantizeFloat[T ewQuant] struct {
	in, out *tensor.Tensor
	p       quantizeParams
}

// Eval computes the output.
func (k *quantizeFloat[T]) Eval() error {
	x, y := k.in.Float32(), ewElems[T](k.out)
	lo, hi := ewRange[T]()
	for i, v := range x {
		r := math.Round(float64(v) / k.p.scale)
		// Clamp in float first so NaN and huge values cannot overflow
		// the conversion; NaN goes to the low end.
		if !(r >= float64(lo-k.p.zp)) {
			y[i] = T(lo)
			continue
		}
		if r > float64(hi-k.p.zp) {
			y[i] = T(hi)
			continue
		}
		y[i] = T(int32(r) + k.p.zp)
	}
	return nil
}

type requantizeParams struct {
	inZP, outZP int32
	mult        int32
	shift       int
}

// requantize is QUANTIZE between 8-bit types.
type requantize[I, O ewQuant] struct {
	in, out *tensor.Tensor
	p       requantizeParams
}

// Eval computes the output.
func (k *requantize[I, O]) Eval() error {
	x, y := ewElems[I](k.in), ewElems[O](k.out)
	lo, hi := ewRange[O]()
	for i, v := range x {
		o := fixedpoint.MultiplyByQuantizedMultiplier(int32(v)-k.p.inZP, k.p.mult, k.p.shift) + k.p.outZP
		y[i] = O(min(max(o, lo), hi))
	}
	return nil
}
