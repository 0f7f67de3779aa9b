package kernel

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestMeanVecMatchesScalar compares MEAN's vector sums and requantization
// with the Go loops, byte for byte: int8 and uint8 on each of their
// paths, channel counts that are and are not multiples of 16 (and of
// the kernel's 64-channel lines), several
// outer slices, more reduced rows than one batch of the sum kernel, and
// inputs at the ends of the type's range (the largest 16-bit sums). On
// machines with only the vector requantization (arm64), that alone is
// compared.
func TestMeanVecMatchesScalar(t *testing.T) {
	if !meanSumCPU() && !intSIMD() {
		t.Skip("no vector MEAN on this machine")
	}
	cases := []struct {
		shape []int
		axes  []int32
		keep  bool
	}{
		{[]int{1, 7, 7, 1280}, []int32{1, 2}, true}, // mobilenet_v2's
		{[]int{1, 7, 7, 40}, []int32{1, 2}, false},
		{[]int{2, 20, 20, 48}, []int32{1, 2}, true},  // 400 rows: four batches
		{[]int{2, 10, 13, 112}, []int32{1, 2}, true}, // a 64-channel line and three single blocks
		{[]int{1, 130, 80}, []int32{1}, false},       // two batches, a line and a single block
		{[]int{3, 16, 5}, []int32{1}, false},
		{[]int{1, 300, 33}, []int32{1}, false},
		{[]int{4, 9}, []int32{0}, false}, // fewer than 16 channels
	}
	type quant struct {
		inScale, outScale float32
		inZP, outZP       int64
	}
	r := rand.New(rand.NewPCG(21, 22))
	for _, typ := range []tensor.DType{tensor.Int8, tensor.Uint8} {
		zp := func() int64 {
			if typ == tensor.Int8 {
				return int64(r.IntN(256)) - 128
			}
			return int64(r.IntN(256))
		}
		same, mobile := zp(), int64(-9)
		if typ == tensor.Uint8 {
			mobile = 119
		}
		quants := []quant{
			{0.070547886, 0.070547886, mobile, mobile}, // equal quantization
			{0.02, 0.015, zp(), zp()},                  // rescaled
			{0.5, 0.03, same, same},
			{0.01, 0.2, zp(), zp()},
		}
		for _, c := range cases {
			for qi, q := range quants {
				for _, fill := range []string{"random", "low", "high"} {
					name := fmt.Sprintf("%s_%v_axes%v_q%d_%s", typ, c.shape, c.axes, qi, fill)
					t.Run(name, func(t *testing.T) {
						in := ewTensor("in", typ, q.inScale, q.inZP, c.shape...)
						for i := range in.Data {
							switch fill {
							case "random":
								in.Data[i] = byte(r.Uint32())
							case "low":
								in.Data[i] = 0x80 // -128 as int8
								if typ == tensor.Uint8 {
									in.Data[i] = 0
								}
							case "high":
								in.Data[i] = 0x7f
								if typ == tensor.Uint8 {
									in.Data[i] = 0xff
								}
							}
						}
						var outShape []int
						for d, n := range c.shape {
							switch {
							case !slices.Contains(c.axes, int32(d)):
								outShape = append(outShape, n)
							case c.keep:
								outShape = append(outShape, 1)
							}
						}
						ax := &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{len(c.axes)}, Const: true, Data: int32Bytes(c.axes...)}
						run := func(vec bool) []byte {
							out := ewTensor("out", typ, q.outScale, q.outZP, outShape...)
							op, err := newMean(&Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{in, ax}, Outputs: []*tensor.Tensor{out}}, MeanOptions{KeepDims: c.keep})
							if err != nil {
								t.Fatal(err)
							}
							if !vec {
								switch k := op.(type) {
								case *meanQuant[int8]:
									k.vecSum, k.rq = false, nil
								case *meanQuant[uint8]:
									k.vecSum, k.rq = false, nil
								}
							}
							if err := op.Eval(); err != nil {
								t.Fatal(err)
							}
							return out.Data
						}
						if got, want := run(true), run(false); !bytes.Equal(got, want) {
							t.Errorf("vector path differs from the Go loops:\n got %v\nwant %v", got, want)
						}
					})
				}
			}
		}
	}
}

// BenchmarkMeanQuant times mobilenet_v2_quantized's global average pool
// (op 81: MEAN of 1×7×7×1280 int8 over H and W, equal quantization) on
// one thread.
func BenchmarkMeanQuant(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	in := ewTensor("in", tensor.Int8, 0.070547886, -9, 1, 7, 7, 1280)
	for i := range in.Data {
		in.Data[i] = byte(r.Uint32())
	}
	out := ewTensor("out", tensor.Int8, 0.070547886, -9, 1, 1, 1, 1280)
	ax := &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{2}, Const: true, Data: int32Bytes(1, 2)}
	op, err := newMean(&Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{in, ax}, Outputs: []*tensor.Tensor{out}}, MeanOptions{KeepDims: true})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in.Data)))
	for b.Loop() {
		if err := op.Eval(); err != nil {
			b.Fatal(err)
		}
	}
}
