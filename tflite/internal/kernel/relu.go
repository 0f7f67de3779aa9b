package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareRelu validates a RELU node; it has no options.
func prepareRelu(n *Node) (Op, error) {
	return newRelu(n)
}

// newRelu prepares RELU: max(0, x) for float32; for int8 and uint8 the
// input is requantized to the output's scale and clamped at real 0.
func newRelu(n *Node) (Op, error) {
	return newClampActivation(n, 0, float32(math.Inf(1)))
}

// newClampActivation prepares the RELU family: clamp to [lo, hi] in real
// values. Quantized tensors follow TFLite's ReluX: requantize by
// in_scale/out_scale (computed in float), then clamp to the bounds quantized
// on the output (round(bound/scale) + zero point, within the type).
func newClampActivation(n *Node, lo, hi float32) (Op, error) {
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
		return &clampFloat{in: in, out: out, lo: lo, hi: hi, simd: intSIMD()}, nil
	case tensor.Int8:
		p, err := newClampQuant[int8](n, in, out, lo, hi)
		if err != nil {
			return nil, err
		}
		return &clampQuant[int8]{in: in, out: out, p: p}, nil
	case tensor.Uint8:
		p, err := newClampQuant[uint8](n, in, out, lo, hi)
		if err != nil {
			return nil, err
		}
		return &clampQuant[uint8]{in: in, out: out, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

type clampParams struct {
	inZP, outZP int32
	mult        int32
	shift       int
	lo, hi      int32
}

func newClampQuant[T ewQuant](n *Node, in, out *tensor.Tensor, lo, hi float32) (clampParams, error) {
	if err := ewCheckPerTensor(n, in); err != nil {
		return clampParams{}, err
	}
	if err := ewCheckPerTensor(n, out); err != nil {
		return clampParams{}, err
	}
	p := clampParams{inZP: in.ZeroPointAt(0), outZP: out.ZeroPointAt(0)}
	p.mult, p.shift = fixedpoint.QuantizeMultiplier(float64(in.Scale[0] / out.Scale[0]))
	tMin, tMax := ewRange[T]()
	s := out.Scale[0]
	p.lo = max(tMin, p.outZP+int32(math.Round(float64(lo/s))))
	p.hi = tMax
	if !math.IsInf(float64(hi), 1) {
		p.hi = min(tMax, p.outZP+int32(math.Round(float64(hi/s))))
	}
	return p, nil
}

// clampQuant is a RELU-family op on int8 or uint8.
type clampQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	p       clampParams
}

// Eval computes the output.
func (k *clampQuant[T]) Eval() error {
	x, y := ewElems[T](k.in), ewElems[T](k.out)
	for i, v := range x {
		o := k.p.outZP + fixedpoint.MultiplyByQuantizedMultiplier(int32(v)-k.p.inZP, k.p.mult, k.p.shift)
		y[i] = T(min(max(o, k.p.lo), k.p.hi))
	}
	return nil
}

// clampFloat is a RELU-family op on float32.
type clampFloat struct {
	in, out *tensor.Tensor
	lo, hi  float32
	simd    bool
}

// Eval computes the output.
func (k *clampFloat) Eval() error {
	clampF32s(k.out.Float32(), k.in.Float32(), k.lo, k.hi, k.simd)
	return nil
}
