package kernel

import (
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestReluReference compares RELU and RELU6 with TFLite 2.2, with equal and
// differing input/output quantization.
func TestReluReference(t *testing.T) {
	relu, relu6 := schema.BuiltinOperatorRELU, schema.BuiltinOperatorRELU6
	cases := []refCase{
		{name: "relu_float", code: relu, inputs: []refTensor{fIn(121, 3, 40)}, outputs: []refTensor{fOut(3, 40)}},
		{name: "relu6_float", code: relu6, inputs: []refTensor{{typ: tensor.Float32, shape: []int{8}, data: float32Bytes(-7, -1, 0, 0.5, 5.9, 6, 6.1, 100)}}, outputs: []refTensor{fOut(8)}},
		{name: "relu_int8_same", code: relu, version: 2,
			inputs: []refTensor{qIn(tensor.Int8, 0.05, -3, 122, 256)}, outputs: []refTensor{qOut(tensor.Int8, 0.05, -3, 256)}},
		{name: "relu_int8_rescale", code: relu, version: 2,
			inputs: []refTensor{qIn(tensor.Int8, 0.05, -3, 123, 256)}, outputs: []refTensor{qOut(tensor.Int8, 0.03, -128, 256)}},
		{name: "relu_uint8_same", code: relu,
			inputs: []refTensor{qIn(tensor.Uint8, 0.02, 128, 124, 256)}, outputs: []refTensor{qOut(tensor.Uint8, 0.02, 128, 256)}},
		{name: "relu_uint8_rescale", code: relu,
			inputs: []refTensor{qIn(tensor.Uint8, 0.02, 128, 125, 256)}, outputs: []refTensor{qOut(tensor.Uint8, 0.011, 0, 256)}},
		{name: "relu6_int8_same", code: relu6, version: 2,
			inputs: []refTensor{qIn(tensor.Int8, 0.1, 0, 126, 256)}, outputs: []refTensor{qOut(tensor.Int8, 0.1, 0, 256)}},
		{name: "relu6_int8_rescale", code: relu6, version: 2,
			inputs: []refTensor{qIn(tensor.Int8, 0.1, 0, 127, 256)}, outputs: []refTensor{qOut(tensor.Int8, 6.0/255, -128, 256)}},
		{name: "relu6_uint8_rescale", code: relu6,
			inputs: []refTensor{qIn(tensor.Uint8, 0.06, 100, 128, 256)}, outputs: []refTensor{qOut(tensor.Uint8, 0.03, 0, 256)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestReluErrors(t *testing.T) {
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		want    error
	}{
		{"type mismatch", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Uint8, 0.1, 0, 4), ErrInvalid},
		{"shape", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 5), ErrInvalid},
		{"int32", ewTensor("i", tensor.Int32, 0, 0, 4), ewTensor("o", tensor.Int32, 0, 0, 4), ErrUnsupported},
		{"no scale", ewTensor("i", tensor.Int8, 0, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), ErrInvalid},
	}
	for _, tc := range tests {
		for name, newOp := range map[string]func(*Node) (Op, error){"RELU": newRelu, "RELU6": newRelu6} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				n := &Node{Code: schema.BuiltinOperatorRELU, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
				if _, err := newOp(n); !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			})
		}
	}
}
