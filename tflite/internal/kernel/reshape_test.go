package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func reshapeOpts(shape ...int) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		v := int32Vector(b, schema.ReshapeOptionsStartNewShapeVector, shape)
		schema.ReshapeOptionsStart(b)
		schema.ReshapeOptionsAddNewShape(b, v)
		return schema.BuiltinOptionsReshapeOptions, schema.ReshapeOptionsEnd(b)
	}
}

func TestReshapeReference(t *testing.T) {
	cases := []refCase{
		{name: "reshape_int8_shape_input_infer", options: reshapeOpts(-1, 12),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 3, 21, 1, 2, 3, 4), constI32([]int{2}, -1, 12)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 3, 2, 12)}},
		{name: "reshape_float_options_only", options: reshapeOpts(1, 30),
			inputs:  []refTensor{fIn(22, 1, 5, 3, 2)},
			outputs: []refTensor{fOut(1, 30)}},
		{name: "reshape_uint8_4d", options: reshapeOpts(1, 1, 1, 24),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 128, 23, 1, 2, 3, 4), constI32([]int{4}, 1, 1, 1, 24)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 1, 1, 1, 24)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorRESHAPE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestReshapeShapes(t *testing.T) {
	in := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: shape}
	}
	shapeT := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "shape", Type: tensor.Int32, Shape: []int{len(v)}, Const: true, Data: int32Bytes(v...)}
	}
	tests := []struct {
		name  string
		in    *tensor.Tensor
		shape *tensor.Tensor
		opts  ReshapeOptions
		out   []int
		want  error
	}{
		{"tensor wins over options", in(2, 6), shapeT(3, 4), ReshapeOptions{NewShape: []int{12}}, []int{3, 4}, nil},
		{"options when no tensor", in(2, 6), nil, ReshapeOptions{NewShape: []int{4, -1}}, []int{4, 3}, nil},
		{"legacy [0] is a scalar", in(1), nil, ReshapeOptions{NewShape: []int{0}}, []int{}, nil},
		{"infer middle", in(2, 3, 4), shapeT(2, -1, 2), ReshapeOptions{}, []int{2, 6, 2}, nil},
		{"two -1", in(2, 6), shapeT(-1, -1), ReshapeOptions{}, []int{3, 4}, ErrInvalid},
		{"count mismatch", in(2, 6), shapeT(5, 2), ReshapeOptions{}, []int{5, 2}, ErrInvalid},
		{"not divisible", in(2, 6), shapeT(5, -1), ReshapeOptions{}, []int{5, 2}, ErrInvalid},
		{"declared output differs", in(2, 6), shapeT(3, 4), ReshapeOptions{}, []int{4, 3}, ErrInvalid},
		{"no shape at all", in(2, 6), nil, ReshapeOptions{}, []int{12}, ErrInvalid},
		{"dynamic shape tensor", in(2, 6), &tensor.Tensor{Name: "s", Type: tensor.Int32, Shape: []int{2}}, ReshapeOptions{}, []int{3, 4}, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: tc.out}
			n := &Node{Code: schema.BuiltinOperatorRESHAPE, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{out}}
			if tc.shape != nil {
				n.Inputs = append(n.Inputs, tc.shape)
			}
			_, err := newReshape(n, tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReshapeCopiesAndChecksTypes(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Int16, Shape: []int{2, 2}, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}}
	out := &tensor.Tensor{Name: "out", Type: tensor.Int16, Shape: []int{4}, Data: make([]byte, 8)}
	n := &Node{Code: schema.BuiltinOperatorRESHAPE, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
	op, err := newReshape(n, ReshapeOptions{NewShape: []int{4}})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	if string(out.Data) != string(in.Data) {
		t.Fatalf("out = %v, want %v", out.Data, in.Data)
	}
	out.Data = out.Data[:4]
	if err := op.Eval(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short output: err = %v, want ErrInvalid", err)
	}
	out.Type = tensor.Int8
	if _, err := newReshape(n, ReshapeOptions{NewShape: []int{4}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("dtype mismatch: err = %v, want ErrInvalid", err)
	}
}
