package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func argMaxOpts(typ tensor.DType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.ArgMaxOptionsStart(b)
		schema.ArgMaxOptionsAddOutputType(b, schema.TensorType(typ))
		return schema.BuiltinOptionsArgMaxOptions, schema.ArgMaxOptionsEnd(b)
	}
}

func TestArgMaxReference(t *testing.T) {
	axis := func(a int32) refTensor { return constI32([]int{1}, a) }
	i32 := func(shape ...int) refTensor { return refTensor{typ: tensor.Int32, shape: shape} }
	i64 := func(shape ...int) refTensor { return refTensor{typ: tensor.Int64, shape: shape} }
	cases := []refCase{
		{name: "argmax_float_axis1", options: argMaxOpts(tensor.Int32),
			inputs: []refTensor{fIn(171, 2, 5, 3), axis(1)}, outputs: []refTensor{i32(2, 3)}},
		{name: "argmax_int8_last_int64", version: 2, options: argMaxOpts(tensor.Int64),
			inputs: []refTensor{qIn(tensor.Int8, 0.1, 0, 172, 3, 4, 9), axis(-1)}, outputs: []refTensor{i64(3, 4)}},
		{name: "argmax_uint8_axis0", options: argMaxOpts(tensor.Int32),
			inputs: []refTensor{qIn(tensor.Uint8, 0.1, 0, 173, 6, 7), axis(0)}, outputs: []refTensor{i32(7)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorARG_MAX
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestArgMaxTies checks by hand that the first of equal maxima wins.
func TestArgMaxTies(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Int8, Shape: []int{2, 4}, Scale: []float32{1}, ZeroPoint: []int64{0},
		Data: int8Bytes([]int8{3, 7, 7, 1, -5, -5, -5, -5})}
	axis := &tensor.Tensor{Name: "axis", Type: tensor.Int64, Shape: []int{}, Const: true, Data: int64Bytes(1)}
	out := &tensor.Tensor{Name: "out", Type: tensor.Int32, Shape: []int{2}, Data: make([]byte, 8)}
	n := &Node{Code: schema.BuiltinOperatorARG_MAX, Inputs: []*tensor.Tensor{in, axis}, Outputs: []*tensor.Tensor{out}}
	op, err := newArgMax(n, ArgMaxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	if got := out.Int32(); got[0] != 1 || got[1] != 0 {
		t.Fatalf("out = %v, want [1 0]", got)
	}
}

func TestArgMaxErrors(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{2, 3}}
	axis := func(a int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "axis", Type: tensor.Int32, Shape: []int{1}, Const: true, Data: int32Bytes(a)}
	}
	out := func(typ tensor.DType, shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "out", Type: typ, Shape: shape}
	}
	tests := []struct {
		name string
		in   *tensor.Tensor
		axis *tensor.Tensor
		out  *tensor.Tensor
		opts ArgMaxOptions
		want error
	}{
		{"ok", in, axis(1), out(tensor.Int32, 2), ArgMaxOptions{}, nil},
		{"axis out of range", in, axis(2), out(tensor.Int32, 2), ArgMaxOptions{}, ErrInvalid},
		{"wrong output shape", in, axis(0), out(tensor.Int32, 2), ArgMaxOptions{}, ErrInvalid},
		{"float output", in, axis(1), out(tensor.Float32, 2), ArgMaxOptions{}, ErrUnsupported},
		{"option disagrees", in, axis(1), out(tensor.Int32, 2), ArgMaxOptions{OutputType: tensor.Int64, HasOutputType: true}, ErrInvalid},
		{"dynamic axis", in, &tensor.Tensor{Name: "a", Type: tensor.Int32, Shape: []int{1}}, out(tensor.Int32, 2), ArgMaxOptions{}, ErrUnsupported},
		{"int16 input", &tensor.Tensor{Name: "in", Type: tensor.Int16, Shape: []int{2, 3}}, axis(1), out(tensor.Int32, 2), ArgMaxOptions{}, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorARG_MAX, Inputs: []*tensor.Tensor{tc.in, tc.axis}, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newArgMax(n, tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
