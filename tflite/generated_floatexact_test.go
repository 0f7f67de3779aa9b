package tflite_test

import "github.com/edgefleet/edgefleet/tflite/builder"

// floatExactCases are float32 graphs whose outputs must carry TFLite 2.2's
// exact bits, not merely be close: the engine reproduces the summation
// orders of its CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D and its
// LOGISTIC approximations (internal/kernel/gemm_float_order.go,
// depthwise_conv2d.go, logistic_float.go), which deep float models need
// to stay within tolerance. Each case takes one path of those orders.
func floatExactCases() []refCase {
	var cases []refCase
	// weights are random float32 constants in [-1, 1).
	weights := func(seed uint64, shape ...int) arg {
		return constant(builder.Float32, shape, builder.Float32Bytes(builder.NewRand(seed).Float32s(elems(shape), -1, 1)), builder.Quant{})
	}
	add := func(name string, opts builder.Options, ins []arg, out arg, seed uint64, lo, hi float32) {
		cases = append(cases, refCase{name: "float_exact/" + name, float: true, exact: true,
			model: func() ([]byte, error) { return opModel(opts, ins, out) },
			inputs: func() [][]byte {
				return [][]byte{float32Bytes(builder.NewRand(seed).Float32s(elems(ins[0].shape), lo, hi))}
			}})
	}
	same := builder.Conv2D{Padding: builder.Same}
	valid := builder.Conv2D{Padding: builder.Valid}

	// CONV_2D through Eigen's blocked GEMM: 13 channels take the 8-row,
	// 4-row and single-row kernels, 25 pixels the 4-column and 1-column
	// ones.
	add("conv2d/gemm_13ch_25px", same, []arg{f32(1, 5, 5, 7), weights(200, 13, 3, 3, 7), weights(201, 13)}, f32(1, 5, 5, 13), 202, -1, 1)
	// K = 700 products per output: summed in two blocks (K > 680).
	add("conv2d/gemm_k700_blocked", valid, []arg{f32(1, 1, 2, 700), weights(203, 10, 1, 1, 700), weights(204, 10)}, f32(1, 1, 2, 10), 205, -1, 1)
	// One output channel, one output pixel: four-lane GEMV dot products.
	add("conv2d/gemv_one_channel", same, []arg{f32(1, 4, 4, 8), weights(206, 1, 3, 3, 8), weights(207, 1)}, f32(1, 4, 4, 1), 208, -1, 1)
	add("conv2d/gemv_one_pixel", valid, []arg{f32(1, 2, 2, 50), weights(209, 9, 2, 2, 50), weights(210, 9)}, f32(1, 1, 1, 9), 211, -1, 1)
	// K+m+n < 20: Eigen's coefficient-based product.
	add("conv2d/lazy_tiny", valid, []arg{f32(1, 2, 2, 9), weights(212, 3, 1, 1, 9), weights(213, 3)}, f32(1, 2, 2, 3), 214, -1, 1)

	fc := builder.FullyConnected{}
	add("fully_connected/gemv_batch1", fc, []arg{f32(1, 37), weights(220, 11, 37), weights(221, 11)}, f32(1, 11), 222, -1, 1)
	add("fully_connected/gemm_k700_blocked", fc, []arg{f32(2, 700), weights(223, 17, 700), weights(224, 17)}, f32(2, 17), 225, -1, 1)
	add("fully_connected/lazy_tiny", fc, []arg{f32(2, 6), weights(226, 5, 6), weights(227, 5)}, f32(2, 5), 228, -1, 1)

	// DEPTHWISE_CONV_2D starts each sum from the bias.
	add("depthwise/s1_relu6", builder.DepthwiseConv2D{Padding: builder.Same, DepthMultiplier: 1, Activation: builder.ActRelu6},
		[]arg{f32(1, 6, 7, 12), weights(230, 1, 3, 3, 12), weights(231, 12)}, f32(1, 6, 7, 12), 232, -2, 2)
	add("depthwise/s2_mult2", builder.DepthwiseConv2D{Padding: builder.Same, StrideW: 2, StrideH: 2, DepthMultiplier: 2},
		[]arg{f32(1, 7, 6, 5), weights(233, 1, 5, 5, 10), weights(234, 10)}, f32(1, 4, 3, 10), 235, -1, 1)

	// LOGISTIC: packets of four and a scalar tail of three, over the
	// exp(x) (x < -9) and rational ranges of the approximation.
	add("logistic/packets_and_tail", builder.Logistic{}, []arg{f32(63)}, f32(63), 240, -20, 20)
	return cases
}

// elems returns the number of elements of shape.
func elems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
