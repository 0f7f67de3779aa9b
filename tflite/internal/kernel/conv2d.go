package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Conv2DOptions are CONV_2D's builtin options.
type Conv2DOptions struct {
	Padding              schema.Padding
	StrideH, StrideW     int
	DilationH, DilationW int
	Activation           schema.ActivationFunctionType
}

// parseConv2DOptions reads CONV_2D options; a nil operator or one without
// options gets SAME padding, unit strides and dilations, no activation.
func parseConv2DOptions(op *schema.Operator) (Conv2DOptions, error) {
	opts := Conv2DOptions{Padding: schema.PaddingSAME, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.Conv2DOptions](op, schema.BuiltinOptionsConv2DOptions)
	if err != nil {
		return opts, err
	}
	opts.Padding = o.Padding()
	opts.StrideH, opts.StrideW = int(o.StrideH()), int(o.StrideW())
	opts.DilationH, opts.DilationW = int(o.DilationHFactor()), int(o.DilationWFactor())
	opts.Activation = o.FusedActivationFunction()
	return opts, nil
}

// prepareConv2D validates a CONV_2D node and prepares its kernel.
func prepareConv2D(n *Node) (Op, error) {
	opts, err := parseConv2DOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newConv2D(n, opts)
}

// newConv2D prepares CONV_2D: inputs (input NHWC, filter [out,h,w,in],
// optional bias [out]), one output NHWC.
func newConv2D(n *Node, opts Conv2DOptions) (Op, error) {
	if err := n.CheckArity(2, 3, 1); err != nil {
		return nil, err
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	if len(filter.Shape) != 4 {
		return nil, n.Errorf("filter %q has shape %s, want rank 4 [out,h,w,in]", filter.Name, tensor.ShapeString(filter.Shape))
	}
	outC, fh, fw, fInC := filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	sp := convSpatial{padding: opts.Padding, strideH: opts.StrideH, strideW: opts.StrideW, dilationH: opts.DilationH, dilationW: opts.DilationW}
	g, err := newConvGeometry(n, sp, in, out, fh, fw, outC)
	if err != nil {
		return nil, err
	}
	if fInC != g.inC {
		// Grouped convolution (filter in-channels dividing the input's) is
		// a newer TFLite feature no supported model uses.
		return nil, n.Unsupportedf("filter %q has %d input channels, input %q has %d (grouped convolution)", filter.Name, fInC, in.Name, g.inC)
	}
	if out.Type != in.Type {
		return nil, n.Errorf("output %q has type %s, input %q has %s", out.Name, out.Type, in.Name, in.Type)
	}
	switch in.Type {
	case tensor.Float32:
		if filter.Type != tensor.Float32 {
			return nil, n.Unsupportedf("float32 input with %s filter %q (hybrid convolution)", filter.Type, filter.Name)
		}
		if err := convCheckBias(n, bias, tensor.Float32, outC); err != nil {
			return nil, err
		}
		lo, hi, err := floatActivationRange(n, opts.Activation)
		if err != nil {
			return nil, err
		}
		ref := &conv2DFloat{n: n, g: g, in: in, filter: filter, bias: bias, out: out, actMin: lo, actMax: hi}
		k := g.filterH * g.filterW * g.inC
		// No padded image: padding taps are written as zeros per patch.
		ref.patches = &convRows[float32, float32]{g: &ref.g, k: k, lda: k, widen: floatCopy}
		ref.patch = make([]float32, k)
		if fast := newConv2DFloatGemm(ref); fast != nil {
			return fast, nil
		}
		return ref, nil
	case tensor.Int8:
		return newConv2DQuant[int8](n, opts, g, perChannelRule, true)
	case tensor.Uint8:
		return newConv2DQuant[uint8](n, opts, g, legacyRule, false)
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// newConv2DQuant prepares the int8 (per-channel, reference_integer_ops) or
// uint8 (legacy asymmetric) kernel; both share one loop with a filter
// offset that is 0 for int8.
func newConv2DQuant[T quantElem](n *Node, opts Conv2DOptions, g convGeometry, rule multiplierRule, symmetric bool) (Op, error) {
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	if filter.Type != in.Type {
		return nil, n.Unsupportedf("%s input with %s filter %q", in.Type, filter.Type, filter.Name)
	}
	if err := convCheckConst(n, filter, "filter"); err != nil {
		return nil, err
	}
	if err := convCheckBias(n, bias, tensor.Int32, g.outC); err != nil {
		return nil, err
	}
	spec := convQuantSpec{channels: g.outC, quantDim: 0, rule: rule, symmetric: symmetric}
	q, err := newConvQuant(n, spec, in, filter, bias, out, opts.Activation)
	if err != nil {
		return nil, err
	}
	ref := &conv2DQuant[T]{n: n, g: g, q: q, in: in, filter: filter, bias: bias, out: out}
	// Where the dot4 kernels take the filter, the im2col GEMM beats
	// Winograd: one instruction per four taps against two per pair.
	if winogradApplies(&g) && winogradWins(&g) && !useDot4(dataAs[T](filter), q.filterOffset) {
		if fast := newConv2DWinograd(ref); fast != nil {
			return fast, nil
		}
	}
	if fast := newConv2DGemm(ref); fast != nil {
		return fast, nil
	}
	return ref, nil
}

// conv2DQuant is a prepared quantized CONV_2D.
type conv2DQuant[T quantElem] struct {
	n                     *Node
	g                     convGeometry
	q                     convQuant
	in, filter, bias, out *tensor.Tensor
}

// Eval computes, per output element, Σ (filter + filterOffset) ·
// (input + inputOffset) over in-bounds taps, adds the bias, requantizes
// with the channel's multiplier, adds the output zero point and clamps.
func (o *conv2DQuant[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.filter, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	in, filter, out := dataAs[T](o.in), dataAs[T](o.filter), dataAs[T](o.out)
	var bias []int32
	if o.bias != nil {
		bias = o.bias.Int32()
	}
	g, q := &o.g, &o.q
	inOff, fOff := q.inputOffset, q.filterOffset
	filterSize := g.filterH * g.filterW * g.inC
	outPos := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			iy0 := oy*g.strideH - g.padH
			rows := g.rowTaps[oy]
			for ox := 0; ox < g.outW; ox++ {
				ix0 := ox*g.strideW - g.padW
				cols := g.colTaps[ox]
				for oc := 0; oc < g.outC; oc++ {
					f := filter[oc*filterSize : (oc+1)*filterSize]
					var acc int32
					for fy := rows.lo; fy < rows.hi; fy++ {
						inRow := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
						fRow := fy * g.filterW
						for fx := cols.lo; fx < cols.hi; fx++ {
							ip := (inRow + ix0 + fx*g.dilationW) * g.inC
							fp := (fRow + fx) * g.inC
							x := in[ip : ip+g.inC]
							w := f[fp : fp+len(x)]
							for c, xv := range x {
								acc += (int32(w[c]) + fOff) * (int32(xv) + inOff)
							}
						}
					}
					if bias != nil {
						acc += bias[oc]
					}
					acc = fixedpoint.MultiplyByQuantizedMultiplier(acc, q.multiplier[oc], q.shift[oc])
					out[outPos] = T(convClamp(acc+q.outputOffset, q.actMin, q.actMax))
					outPos++
				}
			}
		}
	}
	return nil
}

// conv2DFloat is a prepared float32 CONV_2D. The filter may be a
// non-constant DEQUANTIZE output, so nothing is precomputed from it.
type conv2DFloat struct {
	n                     *Node
	g                     convGeometry
	in, filter, bias, out *tensor.Tensor
	actMin, actMax        float32
	patches               *convRows[float32, float32]
	patch                 []float32 // one pixel's im2col row
}

// Eval computes, per output pixel and channel, Σ patch · filter in
// TFLite 2.2's order (see gemm_float_order.go; the patch holds zeros at
// padding) plus bias, clamped to the fused activation's range.
func (o *conv2DFloat) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.filter, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	in, filter, out := o.in.Float32(), o.filter.Float32(), o.out.Float32()
	var bias []float32
	if o.bias != nil {
		bias = o.bias.Float32()
	}
	g := &o.g
	k := g.filterH * g.filterW * g.inC
	pixels := g.batches * g.outH * g.outW
	order := newFloatSumOrder(g.outC, pixels, k)
	o.patches.bind(in)
	for j := 0; j < pixels; j++ {
		o.patches.im2col(o.patch, j, 1)
		row := out[j*g.outC : (j+1)*g.outC]
		for oc := range row {
			acc := order.sum(oc, j, filter[oc*k:(oc+1)*k], o.patch)
			if bias != nil {
				acc += bias[oc]
			}
			row[oc] = clampF32(acc, o.actMin, o.actMax)
		}
	}
	return nil
}
