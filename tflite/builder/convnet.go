package builder

import "fmt"

// ConvNet shapes: an 8x8 single-channel image classified into 3 classes.
const (
	ConvNetSize    = 8 // input height and width
	ConvNetClasses = 3
)

// ConvNetInputQuant covers reals in [-1, 1) with int8.
func ConvNetInputQuant() Quant { return PerTensor(1.0/128, 0) }

// SmallConvNet returns an int8 model exercising the common vision ops:
// "input" int8 [1, 8, 8, 1] → CONV_2D 3x3 ×4 SAME RELU (per-channel
// weights) → DEPTHWISE_CONV_2D 3x3 stride 2 SAME RELU6 → AVERAGE_POOL_2D
// 2x2 → RESHAPE [1, 16] → FULLY_CONNECTED 3 → SOFTMAX → "probabilities"
// int8 [1, 3].
func SmallConvNet(seed uint64) ([]byte, error) {
	const c = 4 // channels after the first convolution
	r := NewRand(seed)
	inScale := ConvNetInputQuant().Scale[0]
	b := New()
	b.Description(fmt.Sprintf("edgefleet small int8 conv net, seed %d", seed))
	in := b.Input("input", Int8, []int{1, ConvNetSize, ConvNetSize, 1}, ConvNetInputQuant())

	// CONV_2D: weights [4, 3, 3, 1] quantized per output channel.
	convQ := PerTensor(4.0/128, -128) // RELU output, reals in [0, 8)
	cw, cws := quantizePerChannel(r.Float32s(c*9, -1, 1), []int{c, 3, 3, 1}, 0)
	convW := b.ConstInt8("conv/weights", []int{c, 3, 3, 1}, cw, PerAxis(0, cws))
	convB := b.ConstInt32("conv/bias", []int{c}, biasPerChannel(r.Float32s(c, -0.5, 0.5), inScale, cws), PerAxis(0, scaled(cws, inScale)))
	conv := b.Tensor("conv", Int8, []int{1, 8, 8, c}, convQ)
	b.Op(Conv2D{Padding: Same, Activation: ActRelu}, []int{in, convW, convB}, []int{conv})

	// DEPTHWISE_CONV_2D: weights [1, 3, 3, 4] quantized per channel (dim 3).
	dwQ := PerTensor(6.0/255, -128) // RELU6 output, reals in [0, 6]
	dw, dws := quantizePerChannel(r.Float32s(9*c, -0.5, 0.5), []int{1, 3, 3, c}, 3)
	dwW := b.ConstInt8("dw/weights", []int{1, 3, 3, c}, dw, PerAxis(3, dws))
	dwB := b.ConstInt32("dw/bias", []int{c}, biasPerChannel(r.Float32s(c, -0.5, 0.5), convQ.Scale[0], dws), PerAxis(0, scaled(dws, convQ.Scale[0])))
	dwOut := b.Tensor("dw", Int8, []int{1, 4, 4, c}, dwQ)
	b.Op(DepthwiseConv2D{Padding: Same, StrideW: 2, StrideH: 2, DepthMultiplier: 1, Activation: ActRelu6}, []int{conv, dwW, dwB}, []int{dwOut})

	// AVERAGE_POOL_2D keeps the quantization of its input.
	pool := b.Tensor("pool", Int8, []int{1, 2, 2, c}, dwQ)
	b.Op(AveragePool2D{Padding: Valid, StrideW: 2, StrideH: 2, FilterWidth: 2, FilterHeight: 2}, []int{dwOut}, []int{pool})

	shape := b.ConstInt32("flatten/shape", nil, []int32{1, 4 * c}, Quant{})
	flat := b.Tensor("flatten", Int8, []int{1, 4 * c}, dwQ)
	b.Op(Reshape{NewShape: []int32{1, 4 * c}}, []int{pool, shape}, []int{flat})

	fcF := r.Float32s(ConvNetClasses*4*c, -1, 1)
	fcS := SymmetricScale(fcF)
	fcW := b.ConstInt8("fc/weights", []int{ConvNetClasses, 4 * c}, QuantizeInt8(fcF, fcS, 0), PerTensor(fcS, 0))
	fcBS := dwQ.Scale[0] * fcS
	fcB := b.ConstInt32("fc/bias", []int{ConvNetClasses}, QuantizeInt32(r.Float32s(ConvNetClasses, -0.5, 0.5), fcBS), PerTensor(fcBS, 0))
	logits := b.Tensor("logits", Int8, []int{1, ConvNetClasses}, PerTensor(0.05, 0))
	b.Op(FullyConnected{}, []int{flat, fcW, fcB}, []int{logits})

	probs := b.Tensor("probabilities", Int8, []int{1, ConvNetClasses}, SoftmaxInt8Quant())
	b.Op(Softmax{Beta: 1}, []int{logits}, []int{probs})
	b.Output(probs)
	return b.Finish()
}

// quantizePerChannel quantizes v (laid out in shape, C order) to symmetric
// int8 with one scale per index of dimension dim.
func quantizePerChannel(v []float32, shape []int, dim int) ([]int8, []float32) {
	inner := 1
	for _, d := range shape[dim+1:] {
		inner *= d
	}
	n := shape[dim]
	channel := func(i int) int { return i / inner % n }
	byChannel := make([][]float32, n)
	for i, x := range v {
		byChannel[channel(i)] = append(byChannel[channel(i)], x)
	}
	scales := make([]float32, n)
	for ch := range scales {
		scales[ch] = SymmetricScale(byChannel[ch])
	}
	q := make([]int8, len(v))
	for i, x := range v {
		q[i] = QuantizeInt8([]float32{x}, scales[channel(i)], 0)[0]
	}
	return q, scales
}

// biasPerChannel quantizes biases with scale inScale×weightScale[c].
func biasPerChannel(v []float32, inScale float32, weightScales []float32) []int32 {
	q := make([]int32, len(v))
	for i, x := range v {
		q[i] = QuantizeInt32([]float32{x}, inScale*weightScales[i])[0]
	}
	return q
}

// scaled returns s multiplied element-wise by k.
func scaled(s []float32, k float32) []float32 {
	out := make([]float32, len(s))
	for i, x := range s {
		out[i] = x * k
	}
	return out
}
