package kernel

import "github.com/edgefleet/edgefleet/tflite/internal/tensor"

// depthwiseAsConv runs a quantized DEPTHWISE_CONV_2D whose input has one
// channel (typically a first layer with depth multiplier M) as the CONV_2D
// it equals: output channel m = Σ_taps w[tap][m]·(x[tap] + inputOffset),
// with the same per-channel requantization. The filter [1,h,w,M] is
// transposed once into a CONV_2D filter [M,h,w,1], so the im2col GEMM
// (and its SIMD kernels) runs it instead of a per-tap scalar loop.
type depthwiseAsConv[T quantElem] struct {
	*conv2DGemm[T]
	dwRef *depthwiseQuant[T] // the depthwise reference loop, for tests
}

// newDepthwiseAsConv returns the conversion when the input has a single
// channel and more than one output channel, nil otherwise.
func newDepthwiseAsConv[T quantElem](ref *depthwiseQuant[T]) *depthwiseAsConv[T] {
	g := ref.g
	if g.inC != 1 || g.outC == 1 {
		return nil
	}
	taps := g.filterH * g.filterW
	src := ref.filter.Data
	data := make([]byte, len(src))
	for t := 0; t < taps; t++ {
		for m := 0; m < g.outC; m++ {
			data[m*taps+t] = src[t*g.outC+m]
		}
	}
	filter := &tensor.Tensor{
		Index: ref.filter.Index, Name: ref.filter.Name, Type: ref.filter.Type,
		Shape: []int{g.outC, g.filterH, g.filterW, 1}, Data: data, Const: true,
		Scale: ref.filter.Scale, ZeroPoint: ref.filter.ZeroPoint,
	}
	conv := &conv2DQuant[T]{n: ref.n, g: g, q: ref.q, in: ref.in, filter: filter, bias: ref.bias, out: ref.out}
	fast := newConv2DGemm(conv)
	if fast == nil {
		return nil
	}
	return &depthwiseAsConv[T]{conv2DGemm: fast, dwRef: ref}
}

// reference returns the depthwise loop this kernel must match bit for bit.
func (o *depthwiseAsConv[T]) reference() Op { return o.dwRef }
