package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// SoftmaxOptions are SOFTMAX's builtin options.
type SoftmaxOptions struct {
	Beta float32
}

// parseSoftmaxOptions reads SOFTMAX options. A nil operator (hand-built
// nodes) gets beta 1; an operator without options gets beta 0, as TFLite's
// zero-initialised parameters do.
func parseSoftmaxOptions(op *schema.Operator) (SoftmaxOptions, error) {
	if op == nil {
		return SoftmaxOptions{Beta: 1}, nil
	}
	var opts SoftmaxOptions
	if op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.SoftmaxOptions](op, schema.BuiltinOptionsSoftmaxOptions)
	if err != nil {
		return opts, err
	}
	opts.Beta = o.Beta()
	return opts, nil
}

// prepareSoftmax validates a SOFTMAX node and prepares its kernel.
func prepareSoftmax(n *Node) (Op, error) {
	opts, err := parseSoftmaxOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newSoftmax(n, opts)
}

// Softmax fixed-point formats, from TFLite: scaled input differences are
// Q5.26 and the running sum of exponentials Q12.19.
const (
	softmaxScaledDiffIntegerBits = 5
	softmaxAccumIntegerBits      = 12
)

// newSoftmax prepares SOFTMAX over the last dimension for float32, int8 and
// uint8 (quantized: 1-D to 4-D, output scale 1/256 with zero point −128 for
// int8 and 0 for uint8, as TFLite requires).
func newSoftmax(n *Node, opts SoftmaxOptions) (Op, error) {
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
	if len(in.Shape) == 0 {
		return nil, n.Errorf("input %q is a scalar, want rank >= 1", in.Name)
	}
	depth := in.Shape[len(in.Shape)-1]
	if depth == 0 {
		return nil, n.Errorf("input %q has an empty last dimension", in.Name)
	}
	switch in.Type {
	case tensor.Float32:
		return &softmaxFloat{in: in, out: out, depth: depth, beta: opts.Beta}, nil
	case tensor.Int8:
		p, err := newSoftmaxParams(n, in, out, opts, -128)
		if err != nil {
			return nil, err
		}
		return newSoftmaxQuant[int8](in, out, depth, p), nil
	case tensor.Uint8:
		p, err := newSoftmaxParams(n, in, out, opts, 0)
		if err != nil {
			return nil, err
		}
		return newSoftmaxQuant[uint8](in, out, depth, p), nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// softmaxParams hold the quantized softmax's input scaling: differences from
// the row maximum are multiplied by beta·input_scale into Q5.26, and those
// below diffMin contribute nothing.
type softmaxParams struct {
	mult    int32
	shift   int
	diffMin int32
}

func newSoftmaxParams(n *Node, in, out *tensor.Tensor, opts SoftmaxOptions, outZP int32) (softmaxParams, error) {
	if len(in.Shape) > 4 {
		return softmaxParams{}, n.Unsupportedf("input %q has rank %d, quantized softmax supports 1 to 4", in.Name, len(in.Shape))
	}
	if err := ewCheckPerTensor(n, in); err != nil {
		return softmaxParams{}, err
	}
	if err := ewCheckPerTensor(n, out); err != nil {
		return softmaxParams{}, err
	}
	if zp := out.ZeroPointAt(0); zp != outZP {
		return softmaxParams{}, n.Errorf("output %q has zero point %d, want %d", out.Name, zp, outZP)
	}
	// TFLite accepts 1/256 within 0.1%.
	if s := out.Scale[0]; math.Abs(float64(s)-1.0/256) > 0.001/256 {
		return softmaxParams{}, n.Errorf("output %q has scale %g, want 1/256", out.Name, s)
	}
	if !(opts.Beta > 0) || math.IsInf(float64(opts.Beta), 0) {
		return softmaxParams{}, n.Unsupportedf("beta %g, want a positive finite value", opts.Beta)
	}
	// PreprocessSoftmaxScaling: beta·scale in double, in Q5.26 units,
	// capped below 2^31, as a multiplier greater than one.
	real := math.Min(float64(opts.Beta)*float64(in.Scale[0])*float64(int64(1)<<(31-softmaxScaledDiffIntegerBits)), float64(int64(1)<<31)-1)
	if !(real > 1) {
		return softmaxParams{}, n.Unsupportedf("beta %g × input scale %g is too small for the quantized softmax (multiplier %g <= 1)", opts.Beta, in.Scale[0], real)
	}
	mult, shift := fixedpoint.QuantizeMultiplier(real)
	// CalculateInputRadius: the largest difference whose rescaled value
	// still fits Q5.26.
	radius := math.Floor(float64((int64(1)<<softmaxScaledDiffIntegerBits)-1) * float64(int64(1)<<(31-softmaxScaledDiffIntegerBits)) / float64(int64(1)<<shift))
	return softmaxParams{mult: mult, shift: shift, diffMin: -int32(radius)}, nil
}

// softmaxQuant is SOFTMAX on int8 or uint8 tensors: TFLite's fixed-point
// algorithm (reference_ops::Softmax), exp in Q0.31 from gemmlowp, the sum in
// Q12.19, one reciprocal per row.
type softmaxQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	depth   int
	p       softmaxParams
	// exp[i] is the Q0.31 exponential of the difference −i from the row
	// maximum, or −1 where −i < diffMin contributes nothing. An 8-bit
	// input has only 256 differences, so the table (built with the same
	// fixed-point functions) replaces every per-element exponential.
	exp [256]int32
}

// newSoftmaxQuant builds the kernel and its exponential table.
func newSoftmaxQuant[T ewQuant](in, out *tensor.Tensor, depth int, p softmaxParams) *softmaxQuant[T] {
	k := &softmaxQuant[T]{in: in, out: out, depth: depth, p: p}
	for i := range k.exp {
		d := -int32(i)
		if d < p.diffMin {
			k.exp[i] = -1
			continue
		}
		k.exp[i] = fixedpoint.ExpOnNegativeValues(fixedpoint.MultiplyByQuantizedMultiplier(d, p.mult, p.shift), softmaxScaledDiffIntegerBits)
	}
	return k
}

// Eval computes the output.
func (k *softmaxQuant[T]) Eval() error {
	x, y := ewElems[T](k.in), ewElems[T](k.out)
	tMin, tMax := ewRange[T]()
	for start := 0; start < len(x); start += k.depth {
		row, orow := x[start:start+k.depth], y[start:start+k.depth]
		orow = orow[:len(row)]
		maxIn := row[0]
		for _, v := range row[1:] {
			maxIn = max(maxIn, v)
		}
		var sum int32
		for _, v := range row {
			// Exponentials are positive, so −1 marks the skipped ones.
			if e := k.exp[uint8(int32(maxIn)-int32(v))]; e >= 0 {
				sum += fixedpoint.Rescale(e, 0, softmaxAccumIntegerBits)
			}
		}
		scale, bitsOverUnit := fixedpoint.Reciprocal(sum, softmaxAccumIntegerBits)
		// The product scale·exp is Q0.31; an 8-bit output keeps its top 8
		// fractional bits after dividing by the sum's power of two.
		exponent := bitsOverUnit + 31 - 8
		for i, v := range row {
			e := k.exp[uint8(int32(maxIn)-int32(v))]
			if e < 0 {
				orow[i] = T(tMin)
				continue
			}
			o := softmaxDivideByPOT(fixedpoint.SaturatingRoundingDoublingHighMul(scale, e), exponent) + tMin
			orow[i] = T(min(max(o, tMin), tMax))
		}
	}
	return nil
}

// softmaxDivideByPOT is RoundingDivideByPOT extended to exponents above 31,
// which occur when a row's exponentials sum to 2^9 or more (e.g. 1001 equal
// logits). TFLite 2.2 returns the rounded quotient there (checked against
// it), which for any int32 is 0 except −2^31/2^32 = −0.5 → −1.
func softmaxDivideByPOT(x int32, exponent int) int32 {
	if exponent <= 31 {
		return fixedpoint.RoundingDivideByPOT(x, exponent)
	}
	if exponent == 32 && x == math.MinInt32 {
		return -1
	}
	return 0
}

// softmaxFloat is SOFTMAX on float32 tensors.
type softmaxFloat struct {
	in, out *tensor.Tensor
	depth   int
	beta    float32
}

// Eval computes the output.
func (k *softmaxFloat) Eval() error {
	x, y := k.in.Float32(), k.out.Float32()
	for start := 0; start < len(x); start += k.depth {
		row, orow := x[start:start+k.depth], y[start:start+k.depth]
		maxIn := row[0]
		for _, v := range row[1:] {
			maxIn = max(maxIn, v)
		}
		var sum float32
		for i, v := range row {
			e := float32(math.Exp(float64((v - maxIn) * k.beta)))
			orow[i] = e
			sum += e
		}
		inv := 1 / sum
		for i := range orow {
			orow[i] *= inv
		}
	}
	return nil
}
