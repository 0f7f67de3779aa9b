package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func squeezeOpts(dims ...int) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		v := int32Vector(b, schema.SqueezeOptionsStartSqueezeDimsVector, dims)
		schema.SqueezeOptionsStart(b)
		schema.SqueezeOptionsAddSqueezeDims(b, v)
		return schema.BuiltinOptionsSqueezeOptions, schema.SqueezeOptionsEnd(b)
	}
}

func TestSqueezeReference(t *testing.T) {
	cases := []refCase{
		{name: "squeeze_int8_axes", options: squeezeOpts(1, -2),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 3, 31, 2, 1, 1, 5)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 3, 2, 5)}},
		{name: "squeeze_float_all", options: squeezeOpts(),
			inputs:  []refTensor{fIn(32, 1, 3, 1, 4)},
			outputs: []refTensor{fOut(3, 4)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorSQUEEZE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestSqueezeShapes(t *testing.T) {
	tests := []struct {
		name    string
		in, out []int
		dims    []int
		want    error
	}{
		{"all ones", []int{1, 3, 1, 4}, []int{3, 4}, nil, nil},
		{"negative axis", []int{1, 3, 1, 4}, []int{1, 3, 4}, []int{-2}, nil},
		{"repeated axis", []int{1, 3, 1, 4}, []int{1, 3, 4}, []int{2, -2}, nil},
		{"axis not 1", []int{1, 3, 1, 4}, []int{1, 1, 4}, []int{1}, ErrInvalid},
		{"axis out of range", []int{1, 3}, []int{3}, []int{2}, ErrInvalid},
		{"wrong output", []int{1, 3, 1, 4}, []int{12}, nil, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorSQUEEZE,
				Inputs:  []*tensor.Tensor{{Name: "in", Type: tensor.Uint8, Shape: tc.in}},
				Outputs: []*tensor.Tensor{{Name: "out", Type: tensor.Uint8, Shape: tc.out}}}
			_, err := newSqueeze(n, SqueezeOptions{Dims: tc.dims})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
