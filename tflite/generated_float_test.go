package tflite_test

import (
	"math"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// floatCase is a float32 graph whose expected outputs come from the float
// reference functions of generated_floatref_test.go (or are listed by hand
// for pure data movement).
type floatCase struct {
	name   string
	model  func() ([]byte, error)
	inputs [][]float32
	want   [][]float32
}

// seq returns n values spread over [lo, hi) in a fixed, irregular order so
// that layout mistakes change the result.
func seq(n int, lo, hi float32) []float32 {
	return builder.NewRand(uint64(n)*7919+1).Float32s(n, lo, hi)
}

func floatCases() []floatCase {
	inf := float32(math.Inf(1))
	var cases []floatCase
	add := func(c floatCase) { cases = append(cases, c) }

	// FULLY_CONNECTED, with and without bias, fused RELU.
	{
		x, w, b := seq(6, -1, 1), seq(12, -1, 1), seq(4, -0.5, 0.5)
		add(floatCase{"fully_connected/bias_relu", func() ([]byte, error) {
			return opModel(builder.FullyConnected{Activation: builder.ActRelu},
				[]arg{f32(2, 3), f32c([]int{4, 3}, w...), f32c([]int{4}, b...)}, f32(2, 4))
		}, [][]float32{x}, [][]float32{refFullyConnected(x, 2, w, 4, b, 0, inf)}})
		add(floatCase{"fully_connected/no_bias", func() ([]byte, error) {
			return opModel(builder.FullyConnected{}, []arg{f32(2, 3), f32c([]int{4, 3}, w...), omitted}, f32(2, 4))
		}, [][]float32{x}, [][]float32{refFullyConnected(x, 2, w, 4, nil, -inf, inf)}})
	}

	// CONV_2D: SAME stride 2 with bias; VALID dilation 2 with RELU6.
	{
		is, fs := shape4{1, 5, 5, 2}, shape4{3, 3, 3, 2}
		x, w, b := seq(50, -2, 2), seq(54, -1, 1), seq(3, -1, 1)
		want, os := refConv2D(x, is, w, fs, b, convGeom{same: true, stride: 2, dilation: 1}, -inf, inf)
		add(floatCase{"conv2d/same_stride2", func() ([]byte, error) {
			return opModel(builder.Conv2D{Padding: builder.Same, StrideW: 2, StrideH: 2},
				[]arg{f32(1, 5, 5, 2), f32c([]int{3, 3, 3, 2}, w...), f32c([]int{3}, b...)}, f32(1, os.h, os.w, os.c))
		}, [][]float32{x}, [][]float32{want}})
		want2, os2 := refConv2D(x, is, w, fs, nil, convGeom{same: false, stride: 1, dilation: 2}, 0, 6)
		add(floatCase{"conv2d/valid_dilation2_relu6", func() ([]byte, error) {
			return opModel(builder.Conv2D{Padding: builder.Valid, DilationW: 2, DilationH: 2, Activation: builder.ActRelu6},
				[]arg{f32(1, 5, 5, 2), f32c([]int{3, 3, 3, 2}, w...)}, f32(1, os2.h, os2.w, os2.c))
		}, [][]float32{x}, [][]float32{want2}})
	}

	// DEPTHWISE_CONV_2D: multiplier 2 SAME; VALID stride 2.
	{
		is, fs := shape4{1, 4, 4, 2}, shape4{1, 3, 3, 4}
		x, w, b := seq(32, -2, 2), seq(36, -1, 1), seq(4, -1, 1)
		want, os := refDepthwise(x, is, w, fs, b, 2, convGeom{same: true, stride: 1, dilation: 1}, -inf, inf)
		add(floatCase{"depthwise/mult2_same", func() ([]byte, error) {
			return opModel(builder.DepthwiseConv2D{Padding: builder.Same, DepthMultiplier: 2},
				[]arg{f32(1, 4, 4, 2), f32c([]int{1, 3, 3, 4}, w...), f32c([]int{4}, b...)}, f32(1, os.h, os.w, os.c))
		}, [][]float32{x}, [][]float32{want}})
		is2, fs2 := shape4{1, 5, 5, 3}, shape4{1, 3, 3, 3}
		x2, w2 := seq(75, -2, 2), seq(27, -1, 1)
		want2, os2 := refDepthwise(x2, is2, w2, fs2, nil, 1, convGeom{same: false, stride: 2, dilation: 1}, 0, inf)
		add(floatCase{"depthwise/valid_stride2_relu", func() ([]byte, error) {
			return opModel(builder.DepthwiseConv2D{Padding: builder.Valid, StrideW: 2, StrideH: 2, Activation: builder.ActRelu},
				[]arg{f32(1, 5, 5, 3), f32c([]int{1, 3, 3, 3}, w2...)}, f32(1, os2.h, os2.w, os2.c))
		}, [][]float32{x2}, [][]float32{want2}})
	}

	// Pools: SAME padding excludes outside cells from the average.
	{
		is := shape4{1, 5, 5, 2}
		x := seq(50, -3, 3)
		avg, os := refPool(x, is, 3, 3, convGeom{same: true, stride: 2}, true)
		add(floatCase{"average_pool/same_3x3_s2", func() ([]byte, error) {
			return opModel(builder.AveragePool2D{Padding: builder.Same, StrideW: 2, StrideH: 2, FilterWidth: 3, FilterHeight: 3},
				[]arg{f32(1, 5, 5, 2)}, f32(1, os.h, os.w, os.c))
		}, [][]float32{x}, [][]float32{avg}})
		mx, os2 := refPool(x, is, 2, 2, convGeom{same: false, stride: 2}, false)
		add(floatCase{"max_pool/valid_2x2_s2", func() ([]byte, error) {
			return opModel(builder.MaxPool2D{Padding: builder.Valid, StrideW: 2, StrideH: 2, FilterWidth: 2, FilterHeight: 2},
				[]arg{f32(1, 5, 5, 2)}, f32(1, os2.h, os2.w, os2.c))
		}, [][]float32{x}, [][]float32{mx}})
		mx3, os3 := refPool(x, is, 3, 3, convGeom{same: true, stride: 2}, false)
		add(floatCase{"max_pool/same_3x3_s2", func() ([]byte, error) {
			return opModel(builder.MaxPool2D{Padding: builder.Same, StrideW: 2, StrideH: 2, FilterWidth: 3, FilterHeight: 3},
				[]arg{f32(1, 5, 5, 2)}, f32(1, os3.h, os3.w, os3.c))
		}, [][]float32{x}, [][]float32{mx3}})
	}

	// SOFTMAX over the last dimension, beta 1 and 0.5.
	{
		x := seq(10, -4, 4)
		for _, beta := range []float32{1, 0.5} {
			add(floatCase{"softmax/beta_" + ftoa(beta), func() ([]byte, error) {
				return opModel(builder.Softmax{Beta: beta}, []arg{f32(2, 5)}, f32(2, 5))
			}, [][]float32{x}, [][]float32{refSoftmax(x, 5, float64(beta))}})
		}
	}

	// ADD/SUB/MUL: same shape, broadcast of a vector, fused activation.
	{
		a, b := seq(12, -3, 3), seq(3, -3, 3)
		a2 := seq(12, -2, 2)
		type binop struct {
			name string
			opts builder.Options
			f    func(x, y float64) float64
		}
		for _, op := range []binop{
			{"add", builder.Add{}, func(x, y float64) float64 { return x + y }},
			{"sub", builder.Sub{}, func(x, y float64) float64 { return x - y }},
			{"mul", builder.Mul{}, func(x, y float64) float64 { return x * y }},
		} {
			add(floatCase{op.name + "/same_shape", func() ([]byte, error) {
				return opModel(op.opts, []arg{f32(1, 2, 2, 3), f32(1, 2, 2, 3)}, f32(1, 2, 2, 3))
			}, [][]float32{a, a2}, [][]float32{refBroadcast(a, []int{1, 2, 2, 3}, a2, []int{1, 2, 2, 3}, op.f)}})
			add(floatCase{op.name + "/broadcast_const", func() ([]byte, error) {
				return opModel(op.opts, []arg{f32(1, 2, 2, 3), f32c([]int{3}, b...)}, f32(1, 2, 2, 3))
			}, [][]float32{a}, [][]float32{refBroadcast(a, []int{1, 2, 2, 3}, b, []int{3}, op.f)}})
		}
		relu := func(x, y float64) float64 { return math.Max(0, x+y) }
		add(floatCase{"add/relu", func() ([]byte, error) {
			return opModel(builder.Add{Activation: builder.ActRelu}, []arg{f32(2, 6), f32(2, 6)}, f32(2, 6))
		}, [][]float32{a, a2}, [][]float32{refBroadcast(a, []int{2, 6}, a2, []int{2, 6}, relu)}})
		n1 := func(x, y float64) float64 { return math.Min(1, math.Max(-1, x*y)) }
		add(floatCase{"mul/relu_n1_to_1", func() ([]byte, error) {
			return opModel(builder.Mul{Activation: builder.ActReluN1To1}, []arg{f32(2, 6), f32(2, 6)}, f32(2, 6))
		}, [][]float32{a, a2}, [][]float32{refBroadcast(a, []int{2, 6}, a2, []int{2, 6}, n1)}})
	}

	// Activations on values spanning their interesting ranges.
	{
		x := append(seq(20, -8, 8), -3, 0, 3, 6)
		unary := []struct {
			name string
			opts builder.Options
			f    func(float64) float64
		}{
			{"relu", builder.Relu{}, func(v float64) float64 { return math.Max(0, v) }},
			{"relu6", builder.Relu6{}, func(v float64) float64 { return math.Min(6, math.Max(0, v)) }},
			{"logistic", builder.Logistic{}, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
			{"tanh", builder.Tanh{}, math.Tanh},
			{"hard_swish", builder.HardSwish{}, func(v float64) float64 { return v * math.Min(6, math.Max(0, v+3)) / 6 }},
			{"leaky_relu", builder.LeakyRelu{Alpha: 0.2}, func(v float64) float64 {
				if v < 0 {
					return 0.2 * v
				}
				return v
			}},
		}
		for _, u := range unary {
			add(floatCase{u.name, func() ([]byte, error) {
				return opModel(u.opts, []arg{f32(2, 12)}, f32(2, 12))
			}, [][]float32{x}, [][]float32{mapF(x, u.f)}})
		}
	}

	// Data movement: expected values written out by hand.
	{
		x := []float32{0, 1, 2, 3, 4, 5}
		add(floatCase{"reshape/shape_tensor", func() ([]byte, error) {
			return opModel(builder.Reshape{}, []arg{f32(2, 3), i32c(3, 2)}, f32(3, 2))
		}, [][]float32{x}, [][]float32{x}})
		add(floatCase{"reshape/options_only", func() ([]byte, error) {
			return opModel(builder.Reshape{NewShape: []int32{6}}, []arg{f32(1, 2, 3)}, f32(6))
		}, [][]float32{x}, [][]float32{x}})
		add(floatCase{"squeeze/dims", func() ([]byte, error) {
			return opModel(builder.Squeeze{Dims: []int32{0, 2}}, []arg{f32(1, 3, 1, 2)}, f32(3, 2))
		}, [][]float32{x}, [][]float32{x}})
		add(floatCase{"squeeze/all", func() ([]byte, error) {
			return opModel(builder.Squeeze{}, []arg{f32(1, 6, 1)}, f32(6))
		}, [][]float32{x}, [][]float32{x}})
		// [2,3] transposed: out[j][i] = in[i][j].
		add(floatCase{"transpose/2d", func() ([]byte, error) {
			return opModel(builder.Transpose{}, []arg{f32(2, 3), i32c(1, 0)}, f32(3, 2))
		}, [][]float32{x}, [][]float32{{0, 3, 1, 4, 2, 5}}})
		// [1,2,3] with perm [2,0,1] → [3,1,2]: out[k][0][i] = in[0][i][k].
		add(floatCase{"transpose/3d", func() ([]byte, error) {
			return opModel(builder.Transpose{}, []arg{f32(1, 2, 3), i32c(2, 0, 1)}, f32(3, 1, 2))
		}, [][]float32{x}, [][]float32{{0, 3, 1, 4, 2, 5}}})
		add(floatCase{"concatenation/axis1", func() ([]byte, error) {
			return opModel(builder.Concatenation{Axis: 1}, []arg{f32(2, 1), f32(2, 2)}, f32(2, 3))
		}, [][]float32{{10, 20}, {1, 2, 3, 4}}, [][]float32{{10, 1, 2, 20, 3, 4}}})
		add(floatCase{"concatenation/axis_neg1_const", func() ([]byte, error) {
			return opModel(builder.Concatenation{Axis: -1}, []arg{f32(2, 2), f32c([]int{2, 1}, 7, 8)}, f32(2, 3))
		}, [][]float32{{1, 2, 3, 4}}, [][]float32{{1, 2, 7, 3, 4, 8}}})
		add(floatCase{"concatenation/axis0_three", func() ([]byte, error) {
			return opModel(builder.Concatenation{Axis: 0}, []arg{f32(1, 2), f32(1, 2), f32(1, 2)}, f32(3, 2))
		}, [][]float32{{1, 2}, {3, 4}, {5, 6}}, [][]float32{{1, 2, 3, 4, 5, 6}}})
		// [1,2,2,1] padded by one row above and below and two columns left.
		pads := i32cShaped([]int{4, 2}, 0, 0, 1, 1, 2, 0, 0, 0)
		add(floatCase{"pad/hw", func() ([]byte, error) {
			return opModel(builder.Pad{}, []arg{f32(1, 2, 2, 1), pads}, f32(1, 4, 4, 1))
		}, [][]float32{{1, 2, 3, 4}}, [][]float32{{
			0, 0, 0, 0,
			0, 0, 1, 2,
			0, 0, 3, 4,
			0, 0, 0, 0,
		}}})
		add(floatCase{"padv2/value", func() ([]byte, error) {
			return opModel(builder.PadV2{}, []arg{f32(1, 2, 2, 1), pads, f32c([]int{}, 9)}, f32(1, 4, 4, 1))
		}, [][]float32{{1, 2, 3, 4}}, [][]float32{{
			9, 9, 9, 9,
			9, 9, 1, 2,
			9, 9, 3, 4,
			9, 9, 9, 9,
		}}})
		// [3,4] rows 0 and 2, columns 1 and 3.
		y := []float32{0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}
		add(floatCase{"strided_slice/stride2", func() ([]byte, error) {
			return opModel(builder.StridedSlice{}, []arg{f32(3, 4), i32c(0, 1), i32c(3, 4), i32c(2, 2)}, f32(2, 2))
		}, [][]float32{y}, [][]float32{{1, 3, 21, 23}}})
		add(floatCase{"strided_slice/masks_shrink", func() ([]byte, error) {
			// begin_mask on dim 0, shrink dim 1 at index 2: column 2.
			return opModel(builder.StridedSlice{BeginMask: 1, EndMask: 1, ShrinkAxisMask: 2},
				[]arg{f32(3, 4), i32c(0, 2), i32c(0, 3), i32c(1, 1)}, f32(3))
		}, [][]float32{y}, [][]float32{{2, 12, 22}}})
		add(floatCase{"strided_slice/negative_stride", func() ([]byte, error) {
			return opModel(builder.StridedSlice{}, []arg{f32(3, 4), i32c(2, -1), i32c(-4, -5), i32c(-1, -1)}, f32(3, 4))
		}, [][]float32{y}, [][]float32{{23, 22, 21, 20, 13, 12, 11, 10, 3, 2, 1, 0}}})
	}

	// MEAN over H and W, keeping and dropping dims.
	{
		x := seq(24, -2, 2)
		want := make([]float32, 2)
		for i, v := range x {
			want[i%2] += v / 12
		}
		add(floatCase{"mean/hw_keep_dims", func() ([]byte, error) {
			return opModel(builder.Mean{KeepDims: true}, []arg{f32(1, 3, 4, 2), i32c(1, 2)}, f32(1, 1, 1, 2))
		}, [][]float32{x}, [][]float32{want}})
		add(floatCase{"mean/hw_drop_dims", func() ([]byte, error) {
			return opModel(builder.Mean{}, []arg{f32(1, 3, 4, 2), i32c(1, 2)}, f32(1, 2))
		}, [][]float32{x}, [][]float32{want}})
	}

	// Resizes.
	{
		x := []float32{1, 2, 3, 4}
		is := shape4{1, 2, 2, 1}
		add(floatCase{"resize_bilinear/default", func() ([]byte, error) {
			return opModel(builder.ResizeBilinear{}, []arg{f32(1, 2, 2, 1), i32c(4, 4)}, f32(1, 4, 4, 1))
		}, [][]float32{x}, [][]float32{refResizeBilinear(x, is, 4, 4, false, false)}})
		add(floatCase{"resize_bilinear/half_pixel", func() ([]byte, error) {
			return opModel(builder.ResizeBilinear{HalfPixelCenters: true}, []arg{f32(1, 2, 2, 1), i32c(3, 5)}, f32(1, 3, 5, 1))
		}, [][]float32{x}, [][]float32{refResizeBilinear(x, is, 3, 5, false, true)}})
		add(floatCase{"resize_bilinear/align_corners", func() ([]byte, error) {
			return opModel(builder.ResizeBilinear{AlignCorners: true}, []arg{f32(1, 2, 2, 1), i32c(3, 3)}, f32(1, 3, 3, 1))
		}, [][]float32{x}, [][]float32{refResizeBilinear(x, is, 3, 3, true, false)}})
		// Nearest neighbour 2x2 → 3x3: source index floor(i·2/3) = 0, 0, 1.
		add(floatCase{"resize_nearest/3x3", func() ([]byte, error) {
			return opModel(builder.ResizeNearestNeighbor{}, []arg{f32(1, 2, 2, 1), i32c(3, 3)}, f32(1, 3, 3, 1))
		}, [][]float32{x}, [][]float32{{1, 1, 2, 1, 1, 2, 3, 3, 4}}})
		// align_corners: scale (2-1)/(3-1) = 0.5 and rounding (half away
		// from zero) picks source rows and columns 0, 1, 1.
		add(floatCase{"resize_nearest/align_corners", func() ([]byte, error) {
			return opModel(builder.ResizeNearestNeighbor{AlignCorners: true}, []arg{f32(1, 2, 2, 1), i32c(3, 3)}, f32(1, 3, 3, 1))
		}, [][]float32{x}, [][]float32{{1, 2, 2, 3, 4, 4, 3, 4, 4}}})
	}

	// DEQUANTIZE of float16 weights feeding an ADD (the MediaPipe pattern).
	{
		w := []float32{0.5, -1.25, 3, 65504, 1e-5, -0.1}
		add(floatCase{"dequantize/float16_then_add", func() ([]byte, error) {
			b := builder.New()
			in := b.Input("x", builder.Float32, []int{6}, builder.Quant{})
			h := b.ConstFloat16("w16", []int{6}, w)
			wf := b.Tensor("w", builder.Float32, []int{6}, builder.Quant{})
			out := b.Tensor("y", builder.Float32, []int{6}, builder.Quant{})
			b.Op(builder.Dequantize{}, []int{h}, []int{wf})
			b.Op(builder.Add{}, []int{in, wf}, []int{out})
			b.Output(out)
			return b.Finish()
		}, [][]float32{{1, 1, 1, 1, 1, 1}}, [][]float32{{1.5, -0.25, 4, 65505, 1 + 1.0014e-5, 1 - 0.099975586}}})
	}
	return cases
}

func ftoa(f float32) string {
	if f == 1 {
		return "1"
	}
	return "0.5"
}

func TestGeneratedFloat(t *testing.T) {
	for _, c := range floatCases() {
		t.Run(c.name, func(t *testing.T) {
			buf, err := c.model()
			if err != nil {
				t.Fatalf("building model: %v", err)
			}
			ins := make([][]byte, len(c.inputs))
			for i, v := range c.inputs {
				ins[i] = float32Bytes(v)
			}
			outs := run(t, buf, ins...)
			for i, want := range c.want {
				got := bytesFloat32(outs[i])
				if k, ok := closeFloats(got, want); !ok {
					if k < 0 {
						t.Fatalf("output %d: %d values, want %d", i, len(got), len(want))
					}
					t.Fatalf("output %d element %d = %v, want %v\n got  %v\n want %v", i, k, got[k], want[k], got, want)
				}
			}
		})
	}
}
