package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// preparePrelu validates a PRELU node; it has no options.
func preparePrelu(n *Node) (Op, error) {
	return newPrelu(n)
}

// newPrelu prepares PRELU, a leaky ReLU whose slope alpha is a tensor
// broadcast against the input (MediaPipe models use one slope per channel,
// alpha [1,1,C]): x for x >= 0, alpha·x otherwise. Alpha may be computed at
// run time (a DEQUANTIZE of float16 slopes), so it is read in Eval.
//
// uint8 follows TF 2.2's legacy kernel: non-negative inputs are copied raw
// (no requantization) and negative ones are requantized by
// in_scale·alpha_scale/out_scale, which must be below one. TF 2.2 has no
// int8 PRELU; int8 follows later TFLite and tflite-micro, where each branch
// has its own multiplier (in_scale/out_scale and
// in_scale·alpha_scale/out_scale).
func newPrelu(n *Node) (Op, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, err
	}
	in, alpha, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if alpha.Type != in.Type || out.Type != in.Type {
		return nil, n.Errorf("input %q, alpha %q and output %q are %s, %s and %s, want one type",
			in.Name, alpha.Name, out.Name, in.Type, alpha.Type, out.Type)
	}
	if !tensor.SameShape(in, out) {
		return nil, n.Errorf("output %q has shape %s, want input %q's %s", out.Name, tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape))
	}
	bc, err := newBroadcast4(n, in, alpha, out)
	if err != nil {
		return nil, err
	}
	switch in.Type {
	case tensor.Float32:
		return &preluFloat{n: n, bc: bc, in: in, alpha: alpha, out: out}, nil
	case tensor.Int8:
		p, err := newPreluParams(n, in, alpha, out)
		if err != nil {
			return nil, err
		}
		return &preluInt8{n: n, bc: bc, in: in, alpha: alpha, out: out, p: p}, nil
	case tensor.Uint8:
		p, err := newPreluLegacyParams(n, in, alpha, out)
		if err != nil {
			return nil, err
		}
		return &preluLegacy{n: n, bc: bc, in: in, alpha: alpha, out: out, p: p}, nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// preluFloat is PRELU on float32.
type preluFloat struct {
	n              *Node
	bc             *broadcast4
	in, alpha, out *tensor.Tensor
}

// Eval computes the output.
func (k *preluFloat) Eval() error {
	if err := checkBound(k.n, k.in, k.alpha, k.out); err != nil {
		return err
	}
	x, a, y := k.in.Float32(), k.alpha.Float32(), k.out.Float32()
	k.bc.each(func(o, i, j int) {
		// ">= 0" as TFLite writes it: -0 stays -0.
		if v := x[i]; v >= 0 {
			y[o] = v
		} else {
			y[o] = v * a[j]
		}
	})
	return nil
}

// preluParams are the int8 kernel's requantization parameters.
type preluParams struct {
	inZP, alphaZP, outZP int32
	identMult, alphaMult int32
	identShift, alphaSh  int
}

// preluScales checks per-tensor quantization of PRELU's three tensors and
// returns in_scale/out_scale and in_scale·alpha_scale/out_scale, computed in
// float32 and then widened as TFLite's C++ does.
func preluScales(n *Node, in, alpha, out *tensor.Tensor) (ident, slope float64, err error) {
	for _, t := range []*tensor.Tensor{in, alpha, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return 0, 0, err
		}
	}
	ident = float64(in.Scale[0] / out.Scale[0])
	slope = float64(in.Scale[0] * alpha.Scale[0] / out.Scale[0])
	return ident, slope, nil
}

func newPreluParams(n *Node, in, alpha, out *tensor.Tensor) (preluParams, error) {
	ident, slope, err := preluScales(n, in, alpha, out)
	if err != nil {
		return preluParams{}, err
	}
	p := preluParams{inZP: in.ZeroPointAt(0), alphaZP: alpha.ZeroPointAt(0), outZP: out.ZeroPointAt(0)}
	p.identMult, p.identShift = fixedpoint.QuantizeMultiplier(ident)
	p.alphaMult, p.alphaSh = fixedpoint.QuantizeMultiplier(slope)
	return p, nil
}

// preluInt8 is PRELU on int8.
type preluInt8 struct {
	n              *Node
	bc             *broadcast4
	in, alpha, out *tensor.Tensor
	p              preluParams
}

// Eval computes the output.
func (k *preluInt8) Eval() error {
	if err := checkBound(k.n, k.in, k.alpha, k.out); err != nil {
		return err
	}
	x, a, y := k.in.Int8(), k.alpha.Int8(), k.out.Int8()
	p := &k.p
	k.bc.each(func(o, i, j int) {
		d := int32(x[i]) - p.inZP
		var v int32
		if d >= 0 {
			v = fixedpoint.MultiplyByQuantizedMultiplier(d, p.identMult, p.identShift)
		} else {
			v = fixedpoint.MultiplyByQuantizedMultiplier(d*(int32(a[j])-p.alphaZP), p.alphaMult, p.alphaSh)
		}
		y[o] = int8(min(max(v+p.outZP, -128), 127))
	})
	return nil
}

// preluLegacyParams are TF 2.2's uint8 PRELU parameters.
type preluLegacyParams struct {
	inZP, alphaZP, outZP int32
	mult                 int32
	shift                int
}

func newPreluLegacyParams(n *Node, in, alpha, out *tensor.Tensor) (preluLegacyParams, error) {
	_, slope, err := preluScales(n, in, alpha, out)
	if err != nil {
		return preluLegacyParams{}, err
	}
	// TF 2.2 uses QuantizeMultiplierSmallerThanOneExp, which asserts the
	// multiplier is in (0, 1).
	if !(slope > 0 && slope < 1) {
		return preluLegacyParams{}, n.Unsupportedf("uint8 multiplier input scale·alpha scale/output scale is %g, TF 2.2 needs it in (0, 1)", slope)
	}
	mult, shift := fixedpoint.QuantizeMultiplier(slope)
	return preluLegacyParams{inZP: in.ZeroPointAt(0), alphaZP: alpha.ZeroPointAt(0), outZP: out.ZeroPointAt(0), mult: mult, shift: shift}, nil
}

// preluLegacy is PRELU on uint8, TF 2.2's way.
type preluLegacy struct {
	n              *Node
	bc             *broadcast4
	in, alpha, out *tensor.Tensor
	p              preluLegacyParams
}

// Eval computes the output.
func (k *preluLegacy) Eval() error {
	if err := checkBound(k.n, k.in, k.alpha, k.out); err != nil {
		return err
	}
	x, a, y := k.in.Uint8(), k.alpha.Uint8(), k.out.Uint8()
	p := &k.p
	k.bc.each(func(o, i, j int) {
		d := int32(x[i]) - p.inZP
		if d >= 0 {
			y[o] = x[i]
			return
		}
		v := p.outZP + fixedpoint.MultiplyByQuantizedMultiplier(d*(int32(a[j])-p.alphaZP), p.mult, p.shift)
		y[o] = uint8(min(max(v, 0), 255))
	})
	return nil
}
