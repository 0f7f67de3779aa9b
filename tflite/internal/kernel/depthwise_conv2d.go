package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// DepthwiseConv2DOptions are DEPTHWISE_CONV_2D's builtin options.
type DepthwiseConv2DOptions struct {
	Padding              schema.Padding
	StrideH, StrideW     int
	DilationH, DilationW int
	// DepthMultiplier is output channels per input channel. 0 means "derive
	// it from the shapes"; some converters write 0 or a stale value, and
	// TFLite's kernels use the shapes, so only a contradiction is refused.
	DepthMultiplier int
	Activation      schema.ActivationFunctionType
}

// parseDepthwiseConv2DOptions reads DEPTHWISE_CONV_2D options; a nil
// operator or one without options gets SAME padding, unit strides and
// dilations, a derived depth multiplier and no activation.
func parseDepthwiseConv2DOptions(op *schema.Operator) (DepthwiseConv2DOptions, error) {
	opts := DepthwiseConv2DOptions{Padding: schema.PaddingSAME, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.DepthwiseConv2DOptions](op, schema.BuiltinOptionsDepthwiseConv2DOptions)
	if err != nil {
		return opts, err
	}
	opts.Padding = o.Padding()
	opts.StrideH, opts.StrideW = int(o.StrideH()), int(o.StrideW())
	opts.DilationH, opts.DilationW = int(o.DilationHFactor()), int(o.DilationWFactor())
	opts.DepthMultiplier = int(o.DepthMultiplier())
	opts.Activation = o.FusedActivationFunction()
	return opts, nil
}

// prepareDepthwiseConv2D validates a DEPTHWISE_CONV_2D node and prepares
// its kernel.
func prepareDepthwiseConv2D(n *Node) (Op, error) {
	opts, err := parseDepthwiseConv2DOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newDepthwiseConv2D(n, opts)
}

// newDepthwiseConv2D prepares DEPTHWISE_CONV_2D: inputs (input NHWC, filter
// [1,h,w,in·multiplier], optional bias), one output NHWC.
func newDepthwiseConv2D(n *Node, opts DepthwiseConv2DOptions) (Op, error) {
	if err := n.CheckArity(2, 3, 1); err != nil {
		return nil, err
	}
	in, filter, bias, out := n.Inputs[0], n.Inputs[1], n.Input(2), n.Outputs[0]
	if len(filter.Shape) != 4 || filter.Shape[0] != 1 {
		return nil, n.Errorf("filter %q has shape %s, want [1,h,w,channels]", filter.Name, tensor.ShapeString(filter.Shape))
	}
	fh, fw, outC := filter.Shape[1], filter.Shape[2], filter.Shape[3]
	sp := convSpatial{padding: opts.Padding, strideH: opts.StrideH, strideW: opts.StrideW, dilationH: opts.DilationH, dilationW: opts.DilationW}
	g, err := newConvGeometry(n, sp, in, out, fh, fw, outC)
	if err != nil {
		return nil, err
	}
	if outC%g.inC != 0 {
		return nil, n.Errorf("filter %q has %d channels, not a multiple of input %q's %d", filter.Name, outC, in.Name, g.inC)
	}
	mult := outC / g.inC
	if opts.DepthMultiplier != 0 && opts.DepthMultiplier != mult {
		return nil, n.Errorf("depth_multiplier is %d, but filter %q has %d channels for %d input channels", opts.DepthMultiplier, filter.Name, outC, g.inC)
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
		ref := &depthwiseFloat{n: n, g: g, mult: mult, in: in, filter: filter, bias: bias, out: out, actMin: lo, actMax: hi}
		if fast := newDepthwiseFloatFast(ref); fast != nil {
			return fast, nil
		}
		return ref, nil
	case tensor.Int8:
		return newDepthwiseQuant[int8](n, opts, g, mult, perChannelRule, true)
	case tensor.Uint8:
		return newDepthwiseQuant[uint8](n, opts, g, mult, legacyRule, false)
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

// newDepthwiseQuant prepares the int8 (reference_integer_ops
// DepthwiseConvPerChannel) or uint8 (legacy asymmetric) kernel.
func newDepthwiseQuant[T quantElem](n *Node, opts DepthwiseConv2DOptions, g convGeometry, mult int, rule multiplierRule, symmetric bool) (Op, error) {
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
	spec := convQuantSpec{channels: g.outC, quantDim: 3, rule: rule, symmetric: symmetric}
	q, err := newConvQuant(n, spec, in, filter, bias, out, opts.Activation)
	if err != nil {
		return nil, err
	}
	ref := &depthwiseQuant[T]{n: n, g: g, q: q, mult: mult, in: in, filter: filter, bias: bias, out: out}
	if asConv := newDepthwiseAsConv(ref); asConv != nil {
		return asConv, nil
	}
	if fast := newDepthwiseFast(ref); fast != nil {
		return fast, nil
	}
	return ref, nil
}

// depthwiseQuant is a prepared quantized DEPTHWISE_CONV_2D.
type depthwiseQuant[T quantElem] struct {
	n                     *Node
	g                     convGeometry
	q                     convQuant
	mult                  int // depth multiplier
	in, filter, bias, out *tensor.Tensor
}

// Eval computes, for output channel oc = ic·mult + m, Σ (filter[.,.,oc] +
// filterOffset) · (input[.,.,ic] + inputOffset) over in-bounds taps, then
// bias, per-channel requantization, output zero point and clamp.
func (o *depthwiseQuant[T]) Eval() error {
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
	outPos := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			iy0 := oy*g.strideH - g.padH
			rows := g.rowTaps[oy]
			for ox := 0; ox < g.outW; ox++ {
				ix0 := ox*g.strideW - g.padW
				cols := g.colTaps[ox]
				for ic := 0; ic < g.inC; ic++ {
					for m := 0; m < o.mult; m++ {
						oc := ic*o.mult + m
						var acc int32
						for fy := rows.lo; fy < rows.hi; fy++ {
							inRow := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
							fRow := fy * g.filterW
							for fx := cols.lo; fx < cols.hi; fx++ {
								xv := in[(inRow+ix0+fx*g.dilationW)*g.inC+ic]
								wv := filter[(fRow+fx)*g.outC+oc]
								acc += (int32(wv) + fOff) * (int32(xv) + inOff)
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
	}
	return nil
}

// depthwiseFloat is a prepared float32 DEPTHWISE_CONV_2D. The filter may
// be a non-constant DEQUANTIZE output.
type depthwiseFloat struct {
	n                     *Node
	g                     convGeometry
	mult                  int
	in, filter, bias, out *tensor.Tensor
	actMin, actMax        float32
}

// Eval computes bias + Σ input[.,.,ic] · filter[.,.,oc] over in-bounds
// taps, clamped to the fused activation's range. The sum starts from the
// bias, as in TFLite 2.2's optimized float kernel (DepthwiseConvImpl fills
// its accumulators with the bias, then adds the taps row by row); adding
// the bias last, as the reference kernel does, differs in the last bits.
func (o *depthwiseFloat) Eval() error {
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
	outPos := 0
	for b := 0; b < g.batches; b++ {
		for oy := 0; oy < g.outH; oy++ {
			iy0 := oy*g.strideH - g.padH
			rows := g.rowTaps[oy]
			for ox := 0; ox < g.outW; ox++ {
				ix0 := ox*g.strideW - g.padW
				cols := g.colTaps[ox]
				for ic := 0; ic < g.inC; ic++ {
					for m := 0; m < o.mult; m++ {
						oc := ic*o.mult + m
						var acc float32
						if bias != nil {
							acc = bias[oc]
						}
						for fy := rows.lo; fy < rows.hi; fy++ {
							inRow := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
							fRow := fy * g.filterW
							for fx := cols.lo; fx < cols.hi; fx++ {
								acc += float32(in[(inRow+ix0+fx*g.dilationW)*g.inC+ic] * filter[(fRow+fx)*g.outC+oc]) // no FMA: see gemm_float.go
							}
						}
						out[outPos] = clampF32(acc, o.actMin, o.actMax)
						outPos++
					}
				}
			}
		}
	}
	return nil
}
