package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// FullyConnectedOptions are FULLY_CONNECTED's builtin options.
type FullyConnectedOptions struct {
	Activation    schema.ActivationFunctionType
	WeightsFormat schema.FullyConnectedOptionsWeightsFormat
	// KeepNumDims keeps the input's leading dimensions in the output
	// instead of flattening them into one batch dimension.
	KeepNumDims bool
}

// parseFullyConnectedOptions reads FULLY_CONNECTED options; a nil operator
// or one without options gets no activation, default weights, flattening.
func parseFullyConnectedOptions(op *schema.Operator) (FullyConnectedOptions, error) {
	var opts FullyConnectedOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.FullyConnectedOptions](op, schema.BuiltinOptionsFullyConnectedOptions)
	if err != nil {
		return opts, err
	}
	opts.Activation = o.FusedActivationFunction()
	opts.WeightsFormat = o.WeightsFormat()
	opts.KeepNumDims = o.KeepNumDims()
	return opts, nil
}

// prepareFullyConnected validates a FULLY_CONNECTED node and prepares its
// kernel.
func prepareFullyConnected(n *Node) (Op, error) {
	opts, err := parseFullyConnectedOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newFullyConnected(n, opts)
}

// fcGeometry is the matrix view of FULLY_CONNECTED: the input flattened to
// [batches, depth], weights [units, depth], output [batches, units].
type fcGeometry struct {
	batches, depth, units int
}

// newFullyConnected prepares FULLY_CONNECTED: inputs (input, weights
// [units, depth], optional bias [units]), one output.
func newFullyConnected(n *Node, opts FullyConnectedOptions) (Op, error) {
	if err := n.CheckArity(2, 3, 1); err != nil {
		return nil, err
	}
	in, weights, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	if opts.WeightsFormat != schema.FullyConnectedOptionsWeightsFormatDEFAULT {
		return nil, n.Unsupportedf("weights format %s", opts.WeightsFormat)
	}
	g, err := newFCGeometry(n, opts, in, weights, out)
	if err != nil {
		return nil, err
	}
	if out.Type != in.Type {
		return nil, n.Errorf("output %q has type %s, input %q has %s", out.Name, out.Type, in.Name, in.Type)
	}
	switch in.Type {
	case tensor.Float32:
		if weights.Type != tensor.Float32 {
			return nil, n.Unsupportedf("float32 input with %s weights %q (hybrid fully connected)", weights.Type, weights.Name)
		}
		if err := convCheckBias(n, bias, tensor.Float32, g.units); err != nil {
			return nil, err
		}
		lo, hi, err := floatActivationRange(n, opts.Activation)
		if err != nil {
			return nil, err
		}
		ref := &fcFloat{n: n, g: g, in: in, weights: weights, bias: bias, out: out, actMin: lo, actMax: hi}
		if fast := newFCFloatGemm(ref); fast != nil {
			return fast, nil
		}
		return ref, nil
	case tensor.Int8:
		return newFCQuant[int8](n, opts, g)
	case tensor.Uint8:
		return newFCQuant[uint8](n, opts, g)
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// newFCGeometry checks the weights and flattens the input as TFLite does:
// depth is the weights' second dimension and every other input element
// count is folded into the batch. The output must have the shape TFLite
// would give it.
func newFCGeometry(n *Node, opts FullyConnectedOptions, in, weights, out *tensor.Tensor) (fcGeometry, error) {
	var g fcGeometry
	if len(weights.Shape) != 2 || weights.Shape[0] < 1 || weights.Shape[1] < 1 {
		return g, n.Errorf("weights %q have shape %s, want [units, depth] with both ≥ 1", weights.Name, tensor.ShapeString(weights.Shape))
	}
	g.units, g.depth = weights.Shape[0], weights.Shape[1]
	for i, d := range in.Shape {
		if d < 0 {
			return g, n.Errorf("input %q dimension %d is %d", in.Name, i, d)
		}
	}
	total := in.NumElements()
	if total%g.depth != 0 {
		return g, n.Errorf("input %q has %d elements, not a multiple of the weights' depth %d", in.Name, total, g.depth)
	}
	g.batches = total / g.depth
	var want []int
	if opts.KeepNumDims {
		if len(in.Shape) == 0 || in.Shape[len(in.Shape)-1] != g.depth {
			return g, n.Errorf("keep_num_dims needs input %q's last dimension to be the depth %d, got shape %s", in.Name, g.depth, tensor.ShapeString(in.Shape))
		}
		want = append(append(want, in.Shape[:len(in.Shape)-1]...), g.units)
	} else {
		want = []int{g.batches, g.units}
	}
	if !equalShape(out.Shape, want) {
		return g, n.Errorf("output %q has shape %s, want %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	return g, nil
}

// newFCQuant prepares the int8 or uint8 kernel (reference_integer_ops /
// legacy FullyConnected; the arithmetic is the same with offsets).
func newFCQuant[T quantElem](n *Node, opts FullyConnectedOptions, g fcGeometry) (Op, error) {
	in, weights, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	if weights.Type != in.Type {
		return nil, n.Unsupportedf("%s input with %s weights %q", in.Type, weights.Type, weights.Name)
	}
	if err := convCheckConst(n, weights, "weights"); err != nil {
		return nil, err
	}
	if err := convCheckBias(n, bias, tensor.Int32, g.units); err != nil {
		return nil, err
	}
	// Per-tensor weights use GetQuantizedConvolutionMultipler (float
	// product); per-channel ones the per-channel loop of newer TFLite.
	rule := legacyRule
	if weights.PerAxis() {
		rule = perChannelRule
	}
	spec := convQuantSpec{channels: g.units, quantDim: 0, rule: rule}
	q, err := newConvQuant(n, spec, in, weights, bias, out, opts.Activation)
	if err != nil {
		return nil, err
	}
	ref := &fcQuant[T]{n: n, g: g, q: q, in: in, weights: weights, bias: bias, out: out}
	if fast := newFCGemm(ref); fast != nil {
		return fast, nil
	}
	return ref, nil
}

// fcQuant is a prepared quantized FULLY_CONNECTED.
type fcQuant[T quantElem] struct {
	n                      *Node
	g                      fcGeometry
	q                      convQuant
	in, weights, bias, out *tensor.Tensor
}

// Eval computes, per batch row and unit, Σ (weight + weightOffset) ·
// (input + inputOffset), adds the bias, requantizes, adds the output zero
// point and clamps.
func (o *fcQuant[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.weights, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	in, weights, out := dataAs[T](o.in), dataAs[T](o.weights), dataAs[T](o.out)
	var bias []int32
	if o.bias != nil {
		bias = o.bias.Int32()
	}
	g, q := &o.g, &o.q
	inOff, wOff := q.inputOffset, q.filterOffset
	for b := 0; b < g.batches; b++ {
		x := in[b*g.depth : (b+1)*g.depth]
		y := out[b*g.units : (b+1)*g.units]
		for u := range y {
			w := weights[u*g.depth : (u+1)*g.depth][:len(x)]
			var acc int32
			for d, xv := range x {
				acc += (int32(w[d]) + wOff) * (int32(xv) + inOff)
			}
			if bias != nil {
				acc += bias[u]
			}
			acc = fixedpoint.MultiplyByQuantizedMultiplier(acc, q.multiplier[u], q.shift[u])
			y[u] = T(convClamp(acc+q.outputOffset, q.actMin, q.actMax))
		}
	}
	return nil
}

// fcFloat is a prepared float32 FULLY_CONNECTED. The weights may be a
// non-constant DEQUANTIZE output.
type fcFloat struct {
	n                      *Node
	g                      fcGeometry
	in, weights, bias, out *tensor.Tensor
	actMin, actMax         float32
}

// Eval computes Σ input · weight per batch row and unit in TFLite 2.2's
// order (see gemm_float_order.go) plus bias, clamped to the fused
// activation's range.
func (o *fcFloat) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.weights, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	in, weights, out := o.in.Float32(), o.weights.Float32(), o.out.Float32()
	var bias []float32
	if o.bias != nil {
		bias = o.bias.Float32()
	}
	g := &o.g
	order := newFloatSumOrder(g.units, g.batches, g.depth)
	for b := 0; b < g.batches; b++ {
		x := in[b*g.depth : (b+1)*g.depth]
		y := out[b*g.units : (b+1)*g.units]
		for u := range y {
			acc := order.sum(u, b, weights[u*g.depth:(u+1)*g.depth], x)
			if bias != nil {
				acc += bias[u]
			}
			y[u] = clampF32(acc, o.actMin, o.actMax)
		}
	}
	return nil
}
