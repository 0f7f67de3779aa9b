package kernel

import (
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// BenchmarkConv2D times single quantized convolutions shaped like the
// layers that dominate the shared models, one thread, so that a kernel
// change can be measured without a whole model's noise.
func BenchmarkConv2D(b *testing.B) {
	cases := []struct {
		name                    string
		typ                     tensor.DType
		inH, inW, inC, outC, fs int
		stride                  int
	}{
		{"mobilenet_v1_op0", tensor.Uint8, 128, 128, 3, 8, 3, 2},
		{"mobilenet_v2_op2", tensor.Int8, 225, 225, 3, 32, 3, 2},
		{"mobilenet_v2_op6", tensor.Int8, 112, 112, 16, 96, 1, 1},
		{"mobilenet_v2_op80", tensor.Int8, 7, 7, 320, 1280, 1, 1},
		{"resnet_op1", tensor.Int8, 32, 32, 16, 16, 3, 1},
		{"resnet_op5", tensor.Int8, 16, 16, 32, 32, 3, 1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := diffRand{rand.New(rand.NewPCG(1, 2))}
			opts := Conv2DOptions{Padding: sameP, StrideH: c.stride, StrideW: c.stride, DilationH: 1, DilationW: 1, Activation: actRelu6}
			outH := computeOutSize(opts.Padding, c.inH, c.fs, c.stride, 1)
			outW := computeOutSize(opts.Padding, c.inW, c.fs, c.stride, 1)
			fZP := int64(0)
			if c.typ == tensor.Uint8 {
				fZP = 120
			}
			in := r.quantTensor("in", c.typ, []int{1, c.inH, c.inW, c.inC}, []float32{0.02}, r.zeroPoint(c.typ), nil)
			filter := r.quantTensor("filter", c.typ, []int{c.outC, c.fs, c.fs, c.inC}, []float32{0.01}, fZP, r.filterData(c.typ, c.outC*c.fs*c.fs*c.inC))
			out := r.quantTensor("out", c.typ, []int{1, outH, outW, c.outC}, []float32{0.05}, r.zeroPoint(c.typ), nil)
			n := &Node{Inputs: []*tensor.Tensor{in, filter, nil}, Outputs: []*tensor.Tensor{out}}
			op, err := newConv2D(n, opts)
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
