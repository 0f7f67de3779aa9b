package kernel

import (
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// BenchmarkAddQuant times mobilenet_v2_quantized's first residual ADD
// (op 14: 1×56×56×24 int8, no broadcast) on one thread, with whatever
// kernel newAdd picks on this machine.
func BenchmarkAddQuant(b *testing.B) {
	r := diffRand{rand.New(rand.NewPCG(1, 2))}
	shape := []int{1, 56, 56, 24}
	x := r.quantTensor("x", tensor.Int8, shape, []float32{0.02703838}, -3, nil)
	y := r.quantTensor("y", tensor.Int8, shape, []float32{0.028132502}, -1, nil)
	out := r.quantTensor("out", tensor.Int8, shape, []float32{0.035842497}, -3, nil)
	n := &Node{Inputs: []*tensor.Tensor{x, y}, Outputs: []*tensor.Tensor{out}}
	op, err := newAdd(n, AddOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out.Data)))
	for b.Loop() {
		if err := op.Eval(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out.Data)), "ns/elem")
}
