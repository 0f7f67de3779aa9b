package tflite_test

import (
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// refCase is a quantized graph whose expected outputs are TFLite 2.2's,
// recorded in testdata/generated/reference.json.
type refCase struct {
	name   string
	model  func() ([]byte, error)
	inputs func() [][]byte
	float  bool // outputs are float32: compare with tolerance
	exact  bool // float outputs must be bit-identical to TFLite 2.2's
}

func q(scale float32, zp int64) builder.Quant { return builder.PerTensor(scale, zp) }

func i8(q builder.Quant, shape ...int) arg { return input(builder.Int8, shape, q) }
func u8(q builder.Quant, shape ...int) arg { return input(builder.Uint8, shape, q) }

// i8w is a constant of random symmetric int8 weights in [-127, 127].
func i8w(seed uint64, shape []int, q builder.Quant) arg {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := builder.NewRand(seed).Int8s(n)
	for i := range v {
		v[i] = max(v[i], -127)
	}
	return constant(builder.Int8, shape, builder.Int8Bytes(v), q)
}

// u8w is a constant of random uint8 weights.
func u8w(seed uint64, shape []int, q builder.Quant) arg {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return constant(builder.Uint8, shape, builder.NewRand(seed).Bytes(n), q)
}

// bias is a constant int32 bias of random values in [-lim, lim).
func bias(seed uint64, n int, lim int32, q builder.Quant) arg {
	r := builder.NewRand(seed)
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(r.Uint64()%uint64(2*lim)) - lim
	}
	return constant(builder.Int32, []int{n}, int32Bytes(v), q)
}

// randomInputs returns n random byte inputs of the given sizes.
func randomInputs(seed uint64, sizes ...int) func() [][]byte {
	return func() [][]byte {
		r := builder.NewRand(seed)
		out := make([][]byte, len(sizes))
		for i, s := range sizes {
			out[i] = r.Bytes(s)
		}
		return out
	}
}

func perChannel(dim int, scales ...float32) builder.Quant { return builder.PerAxis(dim, scales) }

func scaleAll(s []float32, k float32) []float32 {
	out := make([]float32, len(s))
	for i, x := range s {
		out[i] = x * k
	}
	return out
}

func referenceCases() []refCase {
	var cases []refCase
	add := func(name string, model func() ([]byte, error), inputs func() [][]byte) {
		cases = append(cases, refCase{name: name, model: model, inputs: inputs})
	}
	op := func(opts builder.Options, ins []arg, outs ...arg) func() ([]byte, error) {
		return func() ([]byte, error) { return opModel(opts, ins, outs...) }
	}

	// FULLY_CONNECTED.
	add("int8/fully_connected/bias_relu", op(builder.FullyConnected{Activation: builder.ActRelu},
		[]arg{i8(q(0.05, -3), 2, 10), i8w(1, []int{5, 10}, q(0.02, 0)), bias(2, 5, 2000, q(0.001, 0))},
		i8(q(0.08, -20), 2, 5)), randomInputs(3, 20))
	add("int8/fully_connected/no_bias_keep_dims", op(builder.FullyConnected{KeepNumDims: true},
		[]arg{i8(q(0.1, 5), 1, 2, 8), i8w(4, []int{3, 8}, q(0.013, 0)), omitted},
		i8(q(0.25, 2), 1, 2, 3)), randomInputs(5, 16))
	add("uint8/fully_connected/bias", op(builder.FullyConnected{},
		[]arg{u8(q(0.05, 128), 2, 10), u8w(6, []int{5, 10}, q(0.02, 120)), bias(7, 5, 2000, q(0.001, 0))},
		u8(q(0.3, 130), 2, 5)), randomInputs(8, 20))

	// CONV_2D.
	cs := []float32{0.01, 0.02, 0.015}
	add("int8/conv2d/per_channel_same_s2_relu6", op(builder.Conv2D{Padding: builder.Same, StrideW: 2, StrideH: 2, Activation: builder.ActRelu6},
		[]arg{i8(q(0.04, -10), 1, 6, 5, 2), i8w(10, []int{3, 3, 3, 2}, perChannel(0, cs...)), bias(11, 3, 500, perChannel(0, scaleAll(cs, 0.04)...))},
		i8(q(0.05, -128), 1, 3, 3, 3)), randomInputs(12, 60))
	add("int8/conv2d/valid_dilation2", op(builder.Conv2D{Padding: builder.Valid, DilationW: 2, DilationH: 2},
		[]arg{i8(q(0.04, 7), 1, 6, 6, 2), i8w(13, []int{2, 2, 2, 2}, perChannel(0, 0.02, 0.03)), bias(18, 2, 400, perChannel(0, 0.02*0.04, 0.03*0.04))},
		i8(q(0.03, 0), 1, 4, 4, 2)), randomInputs(14, 72))
	add("uint8/conv2d/same_relu", op(builder.Conv2D{Padding: builder.Same, Activation: builder.ActRelu},
		[]arg{u8(q(0.04, 128), 1, 4, 4, 3), u8w(15, []int{2, 3, 3, 3}, q(0.01, 127)), bias(16, 2, 500, q(0.0004, 0))},
		u8(q(0.06, 0), 1, 4, 4, 2)), randomInputs(17, 48))

	// DEPTHWISE_CONV_2D.
	ds := []float32{0.02, 0.01, 0.03, 0.025}
	add("int8/depthwise/mult2_same", op(builder.DepthwiseConv2D{Padding: builder.Same, DepthMultiplier: 2},
		[]arg{i8(q(0.05, 3), 1, 4, 4, 2), i8w(20, []int{1, 3, 3, 4}, perChannel(3, ds...)), bias(21, 4, 300, perChannel(0, scaleAll(ds, 0.05)...))},
		i8(q(0.04, -5), 1, 4, 4, 4)), randomInputs(22, 32))
	add("int8/depthwise/valid_s2_relu", op(builder.DepthwiseConv2D{Padding: builder.Valid, StrideW: 2, StrideH: 2, DepthMultiplier: 1, Activation: builder.ActRelu},
		[]arg{i8(q(0.05, -1), 1, 5, 5, 3), i8w(23, []int{1, 3, 3, 3}, perChannel(3, 0.02, 0.03, 0.01)), bias(28, 3, 400, perChannel(0, 0.02*0.05, 0.03*0.05, 0.01*0.05))},
		i8(q(0.03, -128), 1, 2, 2, 3)), randomInputs(24, 75))
	add("uint8/depthwise/same", op(builder.DepthwiseConv2D{Padding: builder.Same, DepthMultiplier: 1},
		[]arg{u8(q(0.05, 120), 1, 4, 4, 3), u8w(25, []int{1, 3, 3, 3}, q(0.01, 130)), bias(26, 3, 300, q(0.0005, 0))},
		u8(q(0.05, 125), 1, 4, 4, 3)), randomInputs(27, 48))

	// Pools keep the input quantization.
	pq := q(0.1, -4)
	add("int8/average_pool/same_3x3_s2", op(builder.AveragePool2D{Padding: builder.Same, StrideW: 2, StrideH: 2, FilterWidth: 3, FilterHeight: 3},
		[]arg{i8(pq, 1, 5, 5, 2)}, i8(pq, 1, 3, 3, 2)), randomInputs(30, 50))
	add("uint8/average_pool/valid_2x2", op(builder.AveragePool2D{Padding: builder.Valid, StrideW: 2, StrideH: 2, FilterWidth: 2, FilterHeight: 2},
		[]arg{u8(q(0.1, 128), 1, 4, 4, 2)}, u8(q(0.1, 128), 1, 2, 2, 2)), randomInputs(31, 32))
	add("int8/max_pool/same_3x3_s2_relu", op(builder.MaxPool2D{Padding: builder.Same, StrideW: 2, StrideH: 2, FilterWidth: 3, FilterHeight: 3, Activation: builder.ActRelu},
		[]arg{i8(pq, 1, 5, 5, 2)}, i8(pq, 1, 3, 3, 2)), randomInputs(32, 50))

	// SOFTMAX: fixed output quantization.
	add("int8/softmax/beta1", op(builder.Softmax{Beta: 1},
		[]arg{i8(q(0.1, 10), 2, 6)}, i8(builder.SoftmaxInt8Quant(), 2, 6)), randomInputs(40, 12))
	add("int8/softmax/beta_half", op(builder.Softmax{Beta: 0.5},
		[]arg{i8(q(0.05, 0), 1, 10)}, i8(builder.SoftmaxInt8Quant(), 1, 10)), randomInputs(41, 10))
	add("uint8/softmax", op(builder.Softmax{Beta: 1},
		[]arg{u8(q(0.1, 128), 2, 6)}, u8(builder.SoftmaxUint8Quant(), 2, 6)), randomInputs(42, 12))

	// ADD/SUB/MUL with different input scales and broadcasting.
	for _, b := range []struct {
		name string
		opts builder.Options
	}{{"add", builder.Add{}}, {"sub", builder.Sub{}}, {"mul", builder.Mul{}}} {
		add("int8/"+b.name+"/same_shape", op(b.opts,
			[]arg{i8(q(0.05, -3), 1, 2, 2, 3), i8(q(0.08, 4), 1, 2, 2, 3)}, i8(q(0.1, 2), 1, 2, 2, 3)), randomInputs(50, 12, 12))
		add("int8/"+b.name+"/broadcast", op(b.opts,
			[]arg{i8(q(0.05, -3), 1, 2, 2, 3), i8(q(0.02, 1), 1, 1, 1, 3)}, i8(q(0.07, 0), 1, 2, 2, 3)), randomInputs(51, 12, 3))
		add("uint8/"+b.name+"/same_shape", op(b.opts,
			[]arg{u8(q(0.05, 128), 2, 6), u8(q(0.08, 120), 2, 6)}, u8(q(0.1, 128), 2, 6)), randomInputs(52, 12, 12))
	}
	add("int8/add/relu6", op(builder.Add{Activation: builder.ActRelu6},
		[]arg{i8(q(0.05, -3), 2, 6), i8(q(0.05, -3), 2, 6)}, i8(q(0.03, -128), 2, 6)), randomInputs(53, 12, 12))

	// Activations.
	aq := q(0.06, -2)
	for _, a := range []struct {
		name string
		opts builder.Options
		out  builder.Quant
	}{
		{"relu", builder.Relu{}, q(0.04, -128)},
		{"relu6", builder.Relu6{}, q(0.03, -128)},
		{"logistic", builder.Logistic{}, q(1.0/256, -128)},
		{"tanh", builder.Tanh{}, q(1.0/128, 0)},
		{"hard_swish", builder.HardSwish{}, q(0.05, -30)},
	} {
		add("int8/"+a.name, op(a.opts, []arg{i8(aq, 4, 16)}, i8(a.out, 4, 16)), randomInputs(60, 64))
	}
	// TFLite 2.2 has no int8 LEAKY_RELU (version 2 came later).
	add("uint8/leaky_relu", op(builder.LeakyRelu{Alpha: 0.2}, []arg{u8(q(0.06, 128), 4, 16)}, u8(q(0.05, 100), 4, 16)), randomInputs(63, 64))
	add("uint8/logistic", op(builder.Logistic{}, []arg{u8(q(0.06, 128), 4, 16)}, u8(q(1.0/256, 0), 4, 16)), randomInputs(61, 64))
	add("uint8/tanh", op(builder.Tanh{}, []arg{u8(q(0.06, 128), 4, 16)}, u8(q(1.0/128, 128), 4, 16)), randomInputs(62, 64))

	// QUANTIZE / DEQUANTIZE.
	cases = append(cases, refCase{name: "int8/quantize/from_float", model: op(builder.Quantize{},
		[]arg{f32(2, 8)}, i8(q(0.02, 3), 2, 8)), inputs: func() [][]byte {
		return [][]byte{float32Bytes(builder.NewRand(70).Float32s(16, -3, 3))}
	}})
	add("int8/quantize/requantize", op(builder.Quantize{}, []arg{i8(q(0.05, -3), 2, 8)}, i8(q(0.03, 5), 2, 8)), randomInputs(71, 16))
	cases = append(cases, refCase{name: "int8/dequantize", model: op(builder.Dequantize{},
		[]arg{i8(q(0.05, -3), 2, 8)}, f32(2, 8)), inputs: randomInputs(72, 16), float: true})
	cases = append(cases, refCase{name: "uint8/dequantize", model: op(builder.Dequantize{},
		[]arg{u8(q(0.05, 128), 2, 8)}, f32(2, 8)), inputs: randomInputs(73, 16), float: true})

	// MEAN: equal quantization (fast path) and different.
	add("int8/mean/same_quant", op(builder.Mean{KeepDims: true},
		[]arg{i8(q(0.05, 2), 1, 3, 4, 2), i32c(1, 2)}, i8(q(0.05, 2), 1, 1, 1, 2)), randomInputs(80, 24))
	add("int8/mean/requant", op(builder.Mean{},
		[]arg{i8(q(0.05, 2), 1, 3, 4, 2), i32c(1, 2)}, i8(q(0.02, -1), 1, 2)), randomInputs(81, 24))
	add("uint8/mean/same_quant", op(builder.Mean{KeepDims: true},
		[]arg{u8(q(0.05, 128), 1, 3, 4, 2), i32c(1, 2)}, u8(q(0.05, 128), 1, 1, 1, 2)), randomInputs(82, 24))

	// Data movement on quantized tensors.
	mq := q(0.1, -7)
	pads := i32cShaped([]int{4, 2}, 0, 0, 1, 0, 0, 2, 0, 0)
	add("int8/pad", op(builder.Pad{}, []arg{i8(mq, 1, 2, 3, 2), pads}, i8(mq, 1, 3, 5, 2)), randomInputs(90, 12))
	add("uint8/pad", op(builder.Pad{}, []arg{u8(q(0.1, 100), 1, 2, 3, 2), pads}, u8(q(0.1, 100), 1, 3, 5, 2)), randomInputs(91, 12))
	add("int8/padv2", op(builder.PadV2{}, []arg{i8(mq, 1, 2, 3, 2), pads,
		constant(builder.Int8, []int{}, []byte{42}, mq)}, i8(mq, 1, 3, 5, 2)), randomInputs(92, 12))
	add("int8/concatenation", op(builder.Concatenation{Axis: 3},
		[]arg{i8(mq, 1, 2, 2, 1), i8(mq, 1, 2, 2, 3)}, i8(mq, 1, 2, 2, 4)), randomInputs(93, 4, 12))
	add("uint8/concatenation/rescale", op(builder.Concatenation{Axis: 1},
		[]arg{u8(q(0.1, 128), 2, 3), u8(q(0.05, 100), 2, 2)}, u8(q(0.1, 128), 2, 5)), randomInputs(94, 6, 4))
	add("int8/transpose", op(builder.Transpose{}, []arg{i8(mq, 2, 3, 4), i32c(1, 2, 0)}, i8(mq, 3, 4, 2)), randomInputs(95, 24))
	add("int8/reshape", op(builder.Reshape{}, []arg{i8(mq, 2, 3, 4), i32c(4, -1)}, i8(mq, 4, 6)), randomInputs(96, 24))
	add("int8/squeeze", op(builder.Squeeze{Dims: []int32{1}}, []arg{i8(mq, 2, 1, 4)}, i8(mq, 2, 4)), randomInputs(97, 8))
	add("int8/strided_slice", op(builder.StridedSlice{EndMask: 2},
		[]arg{i8(mq, 4, 6), i32c(1, 1), i32c(4, 0), i32c(2, 2)}, i8(mq, 2, 3)), randomInputs(98, 24))
	add("int8/arg_max", op(builder.ArgMax{OutputType: builder.Int32},
		[]arg{i8(mq, 3, 7), i32c(1)}, input(builder.Int32, []int{3}, builder.Quant{})), randomInputs(99, 21))
	add("uint8/arg_max_int64", op(builder.ArgMax{OutputType: builder.Int64},
		[]arg{u8(q(0.1, 0), 3, 7), i32c(1)}, input(builder.Int64, []int{3}, builder.Quant{})), randomInputs(100, 21))
	add("int8/resize_bilinear", op(builder.ResizeBilinear{},
		[]arg{i8(mq, 1, 3, 3, 2), i32c(5, 4)}, i8(mq, 1, 5, 4, 2)), randomInputs(101, 18))
	add("int8/resize_bilinear/half_pixel", op(builder.ResizeBilinear{HalfPixelCenters: true},
		[]arg{i8(mq, 1, 3, 3, 2), i32c(6, 6)}, i8(mq, 1, 6, 6, 2)), randomInputs(102, 18))
	add("uint8/resize_bilinear", op(builder.ResizeBilinear{},
		[]arg{u8(q(0.1, 128), 1, 3, 3, 2), i32c(5, 4)}, u8(q(0.1, 128), 1, 5, 4, 2)), randomInputs(103, 18))
	add("int8/resize_nearest", op(builder.ResizeNearestNeighbor{},
		[]arg{i8(mq, 1, 3, 3, 2), i32c(5, 4)}, i8(mq, 1, 5, 4, 2)), randomInputs(104, 18))
	// No align_corners case here: TFLite 2.2 ignores that option of
	// RESIZE_NEAREST_NEIGHBOR; generated_float_test.go covers it by hand.

	// Ready-made multi-op models, several inputs each.
	for seed := uint64(1); seed <= 3; seed++ {
		s := seed
		add("model/tiny_int8/seed"+string(rune('0'+s)), func() ([]byte, error) { return builder.TinyClassifier(s) }, randomInputs(110+s, builder.TinyInputs))
		add("model/tiny_uint8/seed"+string(rune('0'+s)), func() ([]byte, error) { return builder.TinyClassifierUint8(s) }, randomInputs(120+s, builder.TinyInputs))
		add("model/conv_net_int8/seed"+string(rune('0'+s)), func() ([]byte, error) { return builder.SmallConvNet(s) }, randomInputs(130+s, builder.ConvNetSize*builder.ConvNetSize))
		cases = append(cases, refCase{name: "model/tiny_float/seed" + string(rune('0'+s)), float: true,
			model: func() ([]byte, error) { return builder.TinyClassifierFloat(s) },
			inputs: func() [][]byte {
				return [][]byte{float32Bytes(builder.NewRand(140+s).Float32s(builder.TinyInputs, -4, 4))}
			}})
	}
	return append(cases, floatExactCases()...)
}
