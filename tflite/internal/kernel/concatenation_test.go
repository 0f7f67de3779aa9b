package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func concatOpts(axis int, act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.ConcatenationOptionsStart(b)
		schema.ConcatenationOptionsAddAxis(b, int32(axis))
		schema.ConcatenationOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsConcatenationOptions, schema.ConcatenationOptionsEnd(b)
	}
}

func TestConcatenationReference(t *testing.T) {
	const none = schema.ActivationFunctionTypeNONE
	cases := []refCase{
		{name: "concat_float_last_axis", options: concatOpts(-1, none),
			inputs:  []refTensor{fIn(71, 1, 4, 2), fIn(72, 1, 4, 3)},
			outputs: []refTensor{fOut(1, 4, 5)}},
		{name: "concat_float_axis1_three", options: concatOpts(1, none),
			inputs:  []refTensor{fIn(73, 2, 3, 2), fIn(74, 2, 1, 2), fIn(75, 2, 2, 2)},
			outputs: []refTensor{fOut(2, 6, 2)}},
		{name: "concat_int8_same_params", version: 2, options: concatOpts(3, none),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 2, 76, 1, 2, 2, 3), qIn(tensor.Int8, 0.1, 2, 77, 1, 2, 2, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 2, 1, 2, 2, 4)}},
		{name: "concat_uint8_rescale", options: concatOpts(1, none),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.05, 120, 78, 2, 3, 4), qIn(tensor.Uint8, 0.1, 128, 79, 2, 2, 4), qIn(tensor.Uint8, 0.07, 3, 80, 2, 1, 4)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.09, 100, 2, 6, 4)}},
		{name: "concat_uint8_same_params_axis0", options: concatOpts(0, none),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.05, 120, 81, 1, 3), qIn(tensor.Uint8, 0.05, 120, 82, 2, 3)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.05, 120, 3, 3)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorCONCATENATION
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestConcatenationHand checks int8 requantization (which TFLite refuses)
// and float fused activations against values computed by hand.
func TestConcatenationHand(t *testing.T) {
	// int8: input 0 (scale 0.5, zp 0) values {-3, 4} are reals {-1.5, 2};
	// in the output's (scale 0.25, zp 1) that is {-6+1, 8+1} = {-5, 9}.
	// Input 1 shares the output params and is copied: {100, -128}.
	// 127 at scale 0.5 is 63.5 → 254+1, clamped to 127.
	a := &tensor.Tensor{Name: "a", Type: tensor.Int8, Shape: []int{3}, Scale: []float32{0.5}, ZeroPoint: []int64{0}, Data: int8Bytes([]int8{-3, 4, 127})}
	b := &tensor.Tensor{Name: "b", Type: tensor.Int8, Shape: []int{2}, Scale: []float32{0.25}, ZeroPoint: []int64{1}, Data: int8Bytes([]int8{100, -128})}
	out := &tensor.Tensor{Name: "out", Type: tensor.Int8, Shape: []int{5}, Scale: []float32{0.25}, ZeroPoint: []int64{1}, Data: make([]byte, 5)}
	n := &Node{Code: schema.BuiltinOperatorCONCATENATION, Inputs: []*tensor.Tensor{a, b}, Outputs: []*tensor.Tensor{out}}
	op, err := newConcatenation(n, ConcatenationOptions{Axis: 0})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []int8{-5, 9, 127, 100, -128}
	for i, w := range want {
		if got := out.Int8()[i]; got != w {
			t.Errorf("int8 out[%d] = %d, want %d", i, got, w)
		}
	}

	// float RELU6 over a [2,1]+[2,1] concat on axis 1.
	fa := &tensor.Tensor{Name: "fa", Type: tensor.Float32, Shape: []int{2, 1}, Data: float32Bytes(-1, 7)}
	fb := &tensor.Tensor{Name: "fb", Type: tensor.Float32, Shape: []int{2, 1}, Data: float32Bytes(3, 6.5)}
	fout := &tensor.Tensor{Name: "fout", Type: tensor.Float32, Shape: []int{2, 2}, Data: make([]byte, 16)}
	n = &Node{Code: schema.BuiltinOperatorCONCATENATION, Inputs: []*tensor.Tensor{fa, fb}, Outputs: []*tensor.Tensor{fout}}
	op, err = newConcatenation(n, ConcatenationOptions{Axis: -1, Activation: schema.ActivationFunctionTypeRELU6})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	for i, w := range []float32{0, 3, 6, 6} {
		if got := fout.Float32()[i]; got != w {
			t.Errorf("float out[%d] = %v, want %v", i, got, w)
		}
	}
}

func TestConcatenationErrors(t *testing.T) {
	f := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "f", Type: tensor.Float32, Shape: shape}
	}
	q := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "q", Type: tensor.Int8, Shape: shape, Scale: []float32{1}, ZeroPoint: []int64{0}}
	}
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		out    *tensor.Tensor
		opts   ConcatenationOptions
		want   error
	}{
		{"ok", []*tensor.Tensor{f(2, 3), f(2, 1)}, f(2, 4), ConcatenationOptions{Axis: 1}, nil},
		{"axis out of range", []*tensor.Tensor{f(2, 3), f(2, 1)}, f(2, 4), ConcatenationOptions{Axis: 2}, ErrInvalid},
		{"other dim differs", []*tensor.Tensor{f(2, 3), f(3, 1)}, f(2, 4), ConcatenationOptions{Axis: 1}, ErrInvalid},
		{"rank differs", []*tensor.Tensor{f(2, 3), f(2, 1, 1)}, f(2, 4), ConcatenationOptions{Axis: 1}, ErrInvalid},
		{"type differs", []*tensor.Tensor{f(2, 3), q(2, 1)}, f(2, 4), ConcatenationOptions{Axis: 1}, ErrInvalid},
		{"wrong output", []*tensor.Tensor{f(2, 3), f(2, 1)}, f(2, 5), ConcatenationOptions{Axis: 1}, ErrInvalid},
		{"quantized activation", []*tensor.Tensor{q(2, 3), q(2, 1)}, q(2, 4), ConcatenationOptions{Axis: 1, Activation: schema.ActivationFunctionTypeRELU}, ErrUnsupported},
		{"float16", []*tensor.Tensor{{Name: "h", Type: tensor.Float16, Shape: []int{2}}}, &tensor.Tensor{Name: "o", Type: tensor.Float16, Shape: []int{2}}, ConcatenationOptions{}, ErrUnsupported},
		{"no inputs", nil, f(2), ConcatenationOptions{}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorCONCATENATION, Inputs: tc.inputs, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newConcatenation(n, tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
