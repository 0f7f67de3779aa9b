package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// prepareLogistic validates a LOGISTIC node; it has no options.
func prepareLogistic(n *Node) (Op, error) {
	return newLogistic(n)
}

// newLogistic prepares LOGISTIC (sigmoid). Quantized tensors must have the
// output scale 1/256 and zero point −128 (int8) or 0 (uint8), as TFLite
// requires; they use a 256-entry table. Float tensors use TFLite 2.2's
// approximations (logisticFloat).
func newLogistic(n *Node) (Op, error) {
	sigmoid := func(v float32) float32 {
		return 1 / (1 + float32(math.Exp(float64(-v))))
	}
	op, err := newTableActivation(n, 1.0/256, -128, sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) })
	if f, ok := op.(*pointwiseFloat); ok {
		return &logisticFloat{in: f.in, out: f.out}, nil
	}
	return op, err
}

// newTableActivation prepares a pointwise activation with fixed output
// quantization (scale, and zero point int8ZP for int8 / int8ZP+128 for
// uint8). Quantized tensors get TFLite 2.2's lookup table
// (PopulateLookupTable): each input value is dequantized in float, mapped
// by f32, requantized with round-half-away and clamped. Float tensors use
// f64 rounded to float32.
func newTableActivation(n *Node, scale float32, int8ZP int32, f32 func(float32) float32, f64 func(float64) float64) (Op, error) {
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
		return &pointwiseFloat{in: in, out: out, f: f64}, nil
	case tensor.Int8, tensor.Uint8:
	default:
		return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
	}
	for _, t := range []*tensor.Tensor{in, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return nil, err
		}
	}
	wantZP := int8ZP
	if in.Type == tensor.Uint8 {
		wantZP += 128
	}
	if zp := out.ZeroPointAt(0); zp != wantZP {
		return nil, n.Errorf("output %q has zero point %d, want %d", out.Name, zp, wantZP)
	}
	if out.Scale[0] != scale {
		return nil, n.Errorf("output %q has scale %g, want %g", out.Name, out.Scale[0], scale)
	}
	if in.Type == tensor.Int8 {
		return &tableQuant[int8]{in: in, out: out, table: buildActivationTable[int8](in, out, f32)}, nil
	}
	return &tableQuant[uint8]{in: in, out: out, table: buildActivationTable[uint8](in, out, f32)}, nil
}

// buildActivationTable fills the table indexed by the raw byte of the
// input, in float32 arithmetic as TFLite does.
func buildActivationTable[T ewQuant](in, out *tensor.Tensor, f func(float32) float32) *[256]uint8 {
	lo, hi := ewRange[T]()
	inScale, inZP := in.Scale[0], in.ZeroPointAt(0)
	invScale := 1 / out.Scale[0]
	outZP := float32(out.ZeroPointAt(0))
	var table [256]uint8
	for v := lo; v <= hi; v++ {
		x := inScale * float32(v-inZP)
		r := float32(math.Round(float64(f(x) * invScale)))
		q := int32(r + outZP)
		table[uint8(T(v))] = uint8(T(min(max(q, lo), hi)))
	}
	return &table
}

// tableQuant maps each 8-bit input through a 256-entry table.
type tableQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	table   *[256]uint8
}

// Eval computes the output.
func (k *tableQuant[T]) Eval() error {
	x, y := k.in.Uint8(), k.out.Uint8()
	for i, v := range x {
		y[i] = k.table[v]
	}
	return nil
}

// pointwiseFloat applies f (in float64, rounded to float32) to each element.
type pointwiseFloat struct {
	in, out *tensor.Tensor
	f       func(float64) float64
}

// Eval computes the output.
func (k *pointwiseFloat) Eval() error {
	x, y := k.in.Float32(), k.out.Float32()
	for i, v := range x {
		y[i] = float32(k.f(float64(v)))
	}
	return nil
}
