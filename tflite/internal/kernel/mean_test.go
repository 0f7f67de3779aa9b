package kernel

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func meanOpts(keep bool) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.ReducerOptionsStart(b)
		schema.ReducerOptionsAddKeepDims(b, keep)
		return schema.BuiltinOptionsReducerOptions, schema.ReducerOptionsEnd(b)
	}
}

// TestMeanReference compares MEAN with TFLite 2.2 on each of its uint8
// paths (the 4-D axes {1,2} keep_dims case, equal input/output
// quantization, the rescaling path) and float32. int8 follows tflite-micro,
// which differs from TF 2.2 (see TestMeanInt8ByHand and the mobilenet_v2
// golden).
func TestMeanReference(t *testing.T) {
	const u8 = tensor.Uint8
	axes := func(v ...int32) refTensor { return constI32([]int{len(v)}, v...) }
	cases := []refCase{
		{name: "mean_uint8_hw_keep_rescale", options: meanOpts(true),
			inputs:  []refTensor{qIn(u8, 0.02, 128, 86, 1, 7, 7, 16), axes(1, 2)},
			outputs: []refTensor{qOut(u8, 0.015, 100, 1, 1, 1, 16)}},
		{name: "mean_uint8_hw_keep_same", options: meanOpts(true),
			inputs:  []refTensor{qIn(u8, 0.02, 128, 87, 1, 5, 5, 8), axes(1, 2)},
			outputs: []refTensor{qOut(u8, 0.02, 128, 1, 1, 1, 8)}},
		{name: "mean_uint8_axis0_rescale", options: meanOpts(false),
			inputs:  []refTensor{qIn(u8, 0.02, 10, 88, 6, 3, 5), axes(0, 2)},
			outputs: []refTensor{qOut(u8, 0.01, 0, 3)}},
		{name: "mean_float_hw_keep", options: meanOpts(true),
			inputs:  []refTensor{fIn(89, 2, 5, 4, 3), axes(1, 2)},
			outputs: []refTensor{fOut(2, 1, 1, 3)}},
		{name: "mean_float_general", options: meanOpts(false),
			inputs:  []refTensor{fIn(90, 3, 4, 5), axes(0, -1)},
			outputs: []refTensor{fOut(4)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorMEAN
		c.version = 1
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestMeanByHand pins the rounding of the uint8 equal-quantization path,
// which truncates toward zero: mean(1, 2) = 1.5 → 1, mean(3, 4) → 3.
func TestMeanByHand(t *testing.T) {
	in := ewTensor("in", tensor.Uint8, 1, 0, 2, 2)
	copy(in.Data, []byte{1, 2, 3, 4})
	out := ewTensor("out", tensor.Uint8, 1, 0, 2)
	got := runMean(t, in, []int32{1}, out, false)
	if got[0] != 1 || got[1] != 3 {
		t.Errorf("got %v, want [1 3]", got)
	}
}

// TestMeanInt8ByHand checks tflite-micro's int8 mean, worked out by hand:
// the multiplier for in/out = 1 is 2^30·2^1; folding 1/count gives
// (2^30 << k)/count with shift 1−k, k = floor(log2(count)).
func TestMeanInt8ByHand(t *testing.T) {
	fill := func(vals ...int8) []byte { return int8Bytes(vals) }
	rep := func(v int8, n int) []int8 {
		out := make([]int8, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	tests := []struct {
		name  string
		shape []int
		axes  []int32
		keep  bool
		in    []byte
		want  []int8
	}{
		// count 49: mult 2^35/49 = 701234000, shift −4. Sum 73
		// (mean 1.49): 73·m/2^31 = 23.84 → 24, 24/16 = 1.5 → 2.
		// TF 2.2 would give (73+24)/49 = 1.
		{"49 cells sum 73", []int{1, 7, 7, 1}, []int32{1, 2}, true, fill(append(rep(2, 24), rep(1, 25)...)...), []int8{2}},
		{"49 cells sum -73", []int{1, 7, 7, 1}, []int32{1, 2}, true, fill(append(rep(-2, 24), rep(-1, 25)...)...), []int8{-2}},
		// count 4: mult 2^30, shift −1; 6 → 3 → 1.5 → 2; −6 → −3 → −2.
		{"4 cells sum 6", []int{1, 2, 2, 1}, []int32{1, 2}, true, fill(1, 2, 1, 2), []int8{2}},
		{"4 cells sum -6", []int{1, 2, 2, 1}, []int32{2, 1}, true, fill(-1, -2, -1, -2), []int8{-2}},
		// count 2: mult 2^30, shift 0: the doubling high multiply rounds
		// −1.5 toward zero and 1.5 up.
		{"pairs", []int{2, 2}, []int32{1}, false, fill(-1, -2, 1, 2), []int8{-1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ewTensor("in", tensor.Int8, 1, 0, tc.shape...)
			copy(in.Data, tc.in)
			var outShape []int
			for d, n := range tc.shape {
				reduced := false
				for _, a := range tc.axes {
					reduced = reduced || int(a) == d
				}
				if !reduced {
					outShape = append(outShape, n)
				} else if tc.keep {
					outShape = append(outShape, 1)
				}
			}
			out := ewTensor("out", tensor.Int8, 1, 0, outShape...)
			runMean(t, in, tc.axes, out, tc.keep)
			for i, w := range tc.want {
				if got := out.Int8()[i]; got != w {
					t.Errorf("out[%d] = %d, want %d", i, got, w)
				}
			}
		})
	}
}

func runMean(t *testing.T, in *tensor.Tensor, axes []int32, out *tensor.Tensor, keep bool) []byte {
	t.Helper()
	axis := &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{len(axes)}, Const: true, Data: int32Bytes(axes...)}
	n := &Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{in, axis}, Outputs: []*tensor.Tensor{out}}
	op, err := newMean(n, MeanOptions{KeepDims: keep})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(3, func() { _ = op.Eval() }); allocs != 0 {
		t.Errorf("Eval allocates %v times", allocs)
	}
	return out.Data
}

func TestMeanErrors(t *testing.T) {
	axis := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{len(v)}, Const: true, Data: int32Bytes(v...)}
	}
	in := func() *tensor.Tensor { return ewTensor("in", tensor.Int8, 0.1, 0, 1, 4, 4, 2) }
	out := func(shape ...int) *tensor.Tensor { return ewTensor("out", tensor.Int8, 0.1, 0, shape...) }
	nonConst := axis(1, 2)
	nonConst.Const = false
	i64 := &tensor.Tensor{Name: "axis", Type: tensor.Int64, Shape: []int{1}, Const: true, Data: int64Bytes(1)}
	tests := []struct {
		name   string
		in, ax *tensor.Tensor
		out    *tensor.Tensor
		keep   bool
		want   error
	}{
		{"axis out of range", in(), axis(4), out(1, 4, 4), false, ErrInvalid},
		{"axis negative out of range", in(), axis(-5), out(1, 4, 4), false, ErrInvalid},
		{"wrong output shape", in(), axis(1, 2), out(1, 4), false, ErrInvalid},
		{"keep dims shape", in(), axis(1, 2), out(1, 2), true, ErrInvalid},
		{"non-constant axis", in(), nonConst, out(1, 2), false, ErrUnsupported},
		{"int64 axis", in(), i64, out(1, 4, 2), false, ErrInvalid},
		{"type mismatch", in(), axis(1, 2), ewTensor("out", tensor.Uint8, 0.1, 0, 1, 2), false, ErrInvalid},
		{"int16", ewTensor("in", tensor.Int16, 0.1, 0, 2, 2), axis(1), ewTensor("out", tensor.Int16, 0.1, 0, 2), false, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{tc.in, tc.ax}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newMean(n, MeanOptions{KeepDims: tc.keep}); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestMeanBlockPath checks the loops for consecutive reduced axes against
// the general odometer walk, for int8 and float32 and several axis sets.
func TestMeanBlockPath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	shape := []int{2, 3, 4, 5}
	for _, axes := range [][]int32{{1}, {2, 3}, {0, 1}, {1, 2}, {3}, {0, 1, 2, 3}} {
		var outShape []int
		for d, size := range shape {
			if !slices.Contains(axes, int32(d)) {
				outShape = append(outShape, size)
			}
		}
		for _, typ := range []tensor.DType{tensor.Int8, tensor.Float32} {
			var scale float32
			if typ == tensor.Int8 {
				scale = 0.1
			}
			in := ewTensor("in", typ, scale, -3, shape...)
			for i := range in.Data {
				in.Data[i] = byte(r.Uint32())
			}
			if typ == tensor.Float32 {
				for i, v := range in.Float32() {
					if v != v || v > 1e30 || v < -1e30 { // keep sums finite and comparable
						in.Float32()[i] = float32(i)
					}
				}
			}
			ax := &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{len(axes)}, Const: true, Data: int32Bytes(axes...)}
			run := func(block bool) []byte {
				out := ewTensor("out", typ, scale*0.5, 2, outShape...)
				op, err := newMean(&Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{in, ax}, Outputs: []*tensor.Tensor{out}}, MeanOptions{})
				if err != nil {
					t.Fatal(err)
				}
				switch k := op.(type) {
				case *meanQuant[int8]:
					if !k.g.block {
						t.Fatalf("axes %v: reduced axes not recognised as one block", axes)
					}
					k.g.block = block
				case *meanFloat:
					k.g.block = block
				}
				if err := op.Eval(); err != nil {
					t.Fatal(err)
				}
				return out.Data
			}
			if got, want := run(true), run(false); !bytes.Equal(got, want) {
				t.Errorf("%s axes %v: block loops differ from the general walk", typ, axes)
			}
		}
	}
}
