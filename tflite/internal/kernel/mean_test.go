package kernel

import (
	"errors"
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

// TestMeanReference compares MEAN with TFLite 2.2 on each of its quantized
// paths: the 4-D axes {1,2} keep_dims case, equal input/output quantization,
// and the rescaling path; plus float32.
func TestMeanReference(t *testing.T) {
	const i8, u8 = tensor.Int8, tensor.Uint8
	axes := func(v ...int32) refTensor { return constI32([]int{len(v)}, v...) }
	cases := []refCase{
		{name: "mean_int8_hw_keep_rescale", options: meanOpts(true),
			inputs:  []refTensor{qIn(i8, 0.05, -7, 81, 1, 7, 7, 16), axes(1, 2)},
			outputs: []refTensor{qOut(i8, 0.02, 3, 1, 1, 1, 16)}},
		// mobilenet_v2_quantized's global pooling (op 81), exactly.
		{name: "mean_int8_mobilenet_v2_op81", options: meanOpts(true),
			inputs:  []refTensor{qIn(i8, 0.07054788619279861, -9, 91, 1, 7, 7, 1280), axes(1, 2)},
			outputs: []refTensor{qOut(i8, 0.07054788619279861, -9, 1, 1, 1, 1280)}},
		{name: "mean_int8_hw_keep_same", options: meanOpts(true),
			inputs:  []refTensor{qIn(i8, 0.05, -7, 82, 2, 5, 3, 8), axes(2, 1)},
			outputs: []refTensor{qOut(i8, 0.05, -7, 2, 1, 1, 8)}},
		{name: "mean_int8_hw_drop_same", options: meanOpts(false),
			inputs:  []refTensor{qIn(i8, 0.05, -7, 83, 1, 4, 6, 8), axes(1, 2)},
			outputs: []refTensor{qOut(i8, 0.05, -7, 1, 8)}},
		{name: "mean_int8_hw_drop_rescale", options: meanOpts(false),
			inputs:  []refTensor{qIn(i8, 0.05, -7, 84, 1, 4, 6, 8), axes(1, 2)},
			outputs: []refTensor{qOut(i8, 0.03, 10, 1, 8)}},
		{name: "mean_int8_last_axis_rescale", options: meanOpts(true),
			inputs:  []refTensor{qIn(i8, 0.1, 0, 85, 3, 4, 10), axes(-1)},
			outputs: []refTensor{qOut(i8, 0.07, -20, 3, 4, 1)}},
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
		c.version = 2
		if c.inputs[0].typ != i8 {
			c.version = 1
		}
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestMeanByHand pins the rounding of the equal-quantization path, which
// truncates toward zero: mean(-1, -2) = -1.5 → -1, mean(1, 2) = 1.5 → 1.
func TestMeanByHand(t *testing.T) {
	in := ewTensor("in", tensor.Int8, 1, 0, 2, 2)
	copy(in.Data, int8Bytes([]int8{-1, -2, 1, 2}))
	axis := &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{1}, Const: true, Data: int32Bytes(1)}
	out := ewTensor("out", tensor.Int8, 1, 0, 2)
	n := &Node{Code: schema.BuiltinOperatorMEAN, Inputs: []*tensor.Tensor{in, axis}, Outputs: []*tensor.Tensor{out}}
	op, err := newMean(n, MeanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	if got := out.Int8(); got[0] != -1 || got[1] != 1 {
		t.Errorf("got %v, want [-1 1]", got)
	}
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
