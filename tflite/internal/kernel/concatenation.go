package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ConcatenationOptions holds CONCATENATION's options.
type ConcatenationOptions struct {
	Axis       int // negative counts from the end
	Activation schema.ActivationFunctionType
}

// parseConcatenationOptions reads ConcatenationOptions; the table is
// required since it carries the axis.
func parseConcatenationOptions(op *schema.Operator) (ConcatenationOptions, error) {
	if op == nil {
		return ConcatenationOptions{}, nil
	}
	o, err := readOptions[schema.ConcatenationOptions](op, schema.BuiltinOptionsConcatenationOptions)
	if err != nil {
		return ConcatenationOptions{}, err
	}
	return ConcatenationOptions{Axis: int(o.Axis()), Activation: o.FusedActivationFunction()}, nil
}

// prepareConcatenation validates a CONCATENATION node.
func prepareConcatenation(n *Node) (Op, error) {
	opts, err := parseConcatenationOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newConcatenation(n, opts)
}

// concatInput is one input's slice of every outer row.
type concatInput struct {
	t     *tensor.Tensor
	bytes int // bytes per outer row
	// requant is set for a quantized input whose scale or zero point
	// differs from the output's; scale and bias map it to the output.
	requant     bool
	scale, bias float32
}

// concatenation copies (or requantizes) each input's rows in turn.
type concatenation struct {
	n        *Node
	out      *tensor.Tensor
	inputs   []concatInput
	outer    int
	outZP    int32
	qlo, qhi int32 // output type range for requantized values
	// clamp applies a float fused activation over the whole output.
	clamp  bool
	lo, hi float32
}

// newConcatenation checks shapes and types as TFLite's Prepare does.
// Fused activations run on float32 (TFLite 2.2 refuses any; newer TFLite
// applies them to float); quantized activations are refused. int8 inputs
// whose quantization differs from the output's are requantized like uint8
// (TFLite refuses those), with ConcatenationWithScaling's float formula.
func newConcatenation(n *Node, opts ConcatenationOptions) (Op, error) {
	if len(n.Inputs) < 1 {
		return nil, n.Errorf("has no inputs")
	}
	if err := n.CheckArity(len(n.Inputs), len(n.Inputs), 1); err != nil {
		return nil, err
	}
	t0, out := n.Inputs[0], n.Outputs[0]
	rank := len(t0.Shape)
	axis := opts.Axis
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, n.Errorf("axis %d out of range for rank %d input %q", opts.Axis, rank, t0.Name)
	}
	switch t0.Type {
	case tensor.Float32, tensor.Int8, tensor.Uint8, tensor.Int16, tensor.Int32, tensor.Int64, tensor.Bool:
	default:
		return nil, n.Unsupportedf("input %q type %s", t0.Name, t0.Type)
	}
	want := append([]int(nil), t0.Shape...)
	want[axis] = 0
	for i, t := range n.Inputs {
		if t.Type != t0.Type {
			return nil, n.Errorf("input %d %q is %s, input 0 %q is %s", i, t.Name, t.Type, t0.Name, t0.Type)
		}
		if len(t.Shape) != rank {
			return nil, n.Errorf("input %d %q has shape %s, rank differs from input 0 %s", i, t.Name, tensor.ShapeString(t.Shape), tensor.ShapeString(t0.Shape))
		}
		for d := range rank {
			if d != axis && t.Shape[d] != t0.Shape[d] {
				return nil, n.Errorf("input %d %q has shape %s, input 0 has %s: only axis %d may differ", i, t.Name, tensor.ShapeString(t.Shape), tensor.ShapeString(t0.Shape), axis)
			}
		}
		want[axis] += t.Shape[axis]
	}
	if out.Type != t0.Type {
		return nil, n.Errorf("output %q is %s, inputs are %s", out.Name, out.Type, t0.Type)
	}
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, concatenation gives %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	c := &concatenation{n: n, out: out, outer: 1}
	for d := 0; d < axis; d++ {
		c.outer *= out.Shape[d]
	}
	inner := out.Type.Size()
	for d := axis + 1; d < rank; d++ {
		inner *= out.Shape[d]
	}
	quantized := (out.Type == tensor.Int8 || out.Type == tensor.Uint8) && out.Quantized()
	if opts.Activation != schema.ActivationFunctionTypeNONE {
		if out.Type != tensor.Float32 {
			return nil, n.Unsupportedf("fused activation %s on %s", schema.EnumNamesActivationFunctionType[opts.Activation], out.Type)
		}
		lo, hi, err := floatActivationRange(n, opts.Activation)
		if err != nil {
			return nil, err
		}
		c.clamp, c.lo, c.hi = true, lo, hi
	}
	if quantized {
		c.outZP = out.ZeroPointAt(0)
		lo, hi := quantRange(out.Type)
		c.qlo, c.qhi = int32(lo), int32(hi)
	}
	// TFLite computes the per-input scale from float32 1/output_scale.
	var invOut float32
	if quantized {
		invOut = 1 / out.ScaleAt(0)
	}
	c.inputs = make([]concatInput, len(n.Inputs))
	for i, t := range n.Inputs {
		ci := concatInput{t: t, bytes: t.Shape[axis] * inner}
		if quantized {
			if !t.Quantized() {
				return nil, n.Errorf("input %d %q has no quantization parameters", i, t.Name)
			}
			if t.ScaleAt(0) != out.ScaleAt(0) || t.ZeroPointAt(0) != c.outZP {
				ci.requant = true
				ci.scale = t.ScaleAt(0) * invOut
				ci.bias = float32(-t.ZeroPointAt(0)) * ci.scale
			}
		}
		c.inputs[i] = ci
	}
	return c, nil
}

// Eval walks the outer rows, appending each input's part of the row.
func (c *concatenation) Eval() error {
	if err := checkBound(c.n, c.out); err != nil {
		return err
	}
	for i := range c.inputs {
		if err := checkBound(c.n, c.inputs[i].t); err != nil {
			return err
		}
	}
	dst := c.out.Data
	o := 0
	for k := 0; k < c.outer; k++ {
		for i := range c.inputs {
			in := &c.inputs[i]
			src := in.t.Data[k*in.bytes : (k+1)*in.bytes]
			if in.requant {
				c.requantize(dst[o:o+in.bytes], src, in)
			} else {
				copy(dst[o:], src)
			}
			o += in.bytes
		}
	}
	if c.clamp {
		vals := c.out.Float32()
		for i, v := range vals {
			vals[i] = min(max(v, c.lo), c.hi)
		}
	}
	return nil
}

// requantize maps one row of a quantized input to the output's
// quantization: round(q*scale + bias) + zp, clamped to the type's range.
func (c *concatenation) requantize(dst, src []byte, in *concatInput) {
	signed := c.out.Type == tensor.Int8
	for j, b := range src {
		q := int32(b)
		if signed {
			q = int32(int8(b))
		}
		// The explicit float32 conversions keep the compiler from fusing
		// the multiply-add, which TFLite's x86 build does not do either.
		prod := float32(float32(q) * in.scale)
		v := int32(math.Round(float64(prod+in.bias))) + c.outZP
		dst[j] = byte(min(max(v, c.qlo), c.qhi))
	}
}
