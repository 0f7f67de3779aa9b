package kernel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// BenchmarkDepthwiseQuant times whole quantized 3×3 DEPTHWISE_CONV_2D
// ops shaped like the benchmark models' (SAME padding inside the op, so
// the border rows count), on one thread and on two.
func BenchmarkDepthwiseQuant(b *testing.B) {
	pool := parallel.New(2)
	defer pool.Close()
	for _, s := range []struct {
		name            string
		h, w, c, stride int
		typ             tensor.DType
	}{
		{"kws_25x5x64", 25, 5, 64, 1, tensor.Int8},
		{"v1_64x64x8", 64, 64, 8, 1, tensor.Uint8},
		{"v1_64x64x16_s2", 64, 64, 16, 2, tensor.Uint8},
		{"v1_32x32x32", 32, 32, 32, 1, tensor.Uint8},
		{"v2_58x58x144_valid", 58, 58, 144, 1, tensor.Int8},
		{"v2_114x114x32_valid", 114, 114, 32, 1, tensor.Int8},
		{"v2_16x16x384_valid", 16, 16, 384, 1, tensor.Int8},
	} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, threads), func(b *testing.B) {
				r := diffRand{rand.New(rand.NewPCG(1, 1))}
				padding := sameP
				if strings.HasSuffix(s.name, "_valid") {
					padding = validP
				}
				outH := computeOutSize(padding, s.h, 3, s.stride, 1)
				outW := computeOutSize(padding, s.w, 3, s.stride, 1)
				in := r.quantTensor("in", s.typ, []int{1, s.h, s.w, s.c}, []float32{0.05}, r.zeroPoint(s.typ), nil)
				filter := r.quantTensor("filter", s.typ, []int{1, 3, 3, s.c}, []float32{0.01}, 0, r.filterData(s.typ, 9*s.c))
				filter.QuantizedDim = 3
				out := r.quantTensor("out", s.typ, []int{1, outH, outW, s.c}, []float32{0.05 * 0.01 * 30}, r.zeroPoint(s.typ), nil)
				n := &Node{Code: schema.BuiltinOperatorDEPTHWISE_CONV_2D, Inputs: []*tensor.Tensor{in, filter, nil}, Outputs: []*tensor.Tensor{out}}
				if threads == 2 {
					n.Pool = pool
				}
				op, err := newDepthwiseConv2D(n, DepthwiseConv2DOptions{Padding: padding, StrideH: s.stride, StrideW: s.stride, DilationH: 1, DilationW: 1})
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if err := op.Eval(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
