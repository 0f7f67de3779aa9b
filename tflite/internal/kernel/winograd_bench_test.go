package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// BenchmarkConv2DWinograd times the Winograd kernel against the im2col
// GEMM on int8 3×3 SAME convolutions of several sizes and depths, the
// measurements behind winogradWins. Run with -bench Winograd -benchtime
// 200x (one thread).
func BenchmarkConv2DWinograd(b *testing.B) {
	if !intSIMD() {
		b.Skip("Winograd needs the SIMD dot kernels")
	}
	for _, hw := range []int{2, 3, 4, 8, 16, 32} {
		for _, ch := range [][2]int{{1, 1}, {1, 8}, {8, 1}, {2, 2}, {3, 3}, {1, 16}, {16, 1}, {2, 16}, {3, 8}, {3, 16}, {3, 32},
			{4, 4}, {4, 8}, {4, 16}, {8, 4}, {8, 8}, {8, 16}, {16, 2}, {16, 4}, {16, 8}, {16, 16}, {32, 8}, {32, 32}, {64, 64}} {
			op := winoBenchConv(hw, ch[0], ch[1])
			wino := forceWinograd(op)
			gemm := op
			if w, ok := op.(*conv2DWinograd[int8]); ok {
				gemm = newConv2DGemm(w.ref)
			}
			for _, k := range []struct {
				name string
				op   Op
			}{{"gemm", gemm}, {"wino", wino}} {
				b.Run(fmt.Sprintf("%dx%d/%d-%d/%s", hw, hw, ch[0], ch[1], k.name), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						if err := k.op.Eval(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// winoBenchConv prepares an int8 3×3 SAME convolution on random data.
func winoBenchConv(hw, inC, outC int) Op {
	r := diffRand{rand.New(rand.NewPCG(uint64(hw), uint64(inC*100+outC)))}
	in := r.quantTensor("in", tensor.Int8, []int{1, hw, hw, inC}, []float32{0.05}, 3, nil)
	fScales := make([]float32, outC)
	for c := range fScales {
		fScales[c] = float32(0.005 + r.Float64()*0.05)
	}
	filter := r.quantTensor("filter", tensor.Int8, []int{outC, 3, 3, inC}, fScales, 0, r.filterData(tensor.Int8, outC*9*inC))
	out := r.quantTensor("out", tensor.Int8, []int{1, hw, hw, outC}, []float32{0.5}, -5, nil)
	n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, nil}, Outputs: []*tensor.Tensor{out}}
	op, err := newConv2D(n, Conv2DOptions{Padding: sameP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Activation: actRelu})
	if err != nil {
		panic(err)
	}
	return op
}
