package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func mulOpts(act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.MulOptionsStart(b)
		schema.MulOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsMulOptions, schema.MulOptionsEnd(b)
	}
}

// TestMulReference compares MUL with TFLite 2.2, including an output
// multiplier above one (s1·s2 > s_out) and broadcasting.
func TestMulReference(t *testing.T) {
	cases := []refCase{
		{name: "mul_int8_same", options: mulOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 51, 1, 6, 6, 3), qIn(tensor.Int8, 0.1, 5, 52, 1, 6, 6, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.2, -10, 1, 6, 6, 3)}},
		{name: "mul_int8_mult_above_one", options: mulOpts(ewActRelu),
			inputs:  []refTensor{qIn(tensor.Int8, 0.5, 0, 53, 64), qIn(tensor.Int8, 0.25, 1, 54, 64)},
			outputs: []refTensor{qOut(tensor.Int8, 0.0625, -128, 64)}},
		{name: "mul_int8_bcast", options: mulOpts(ewActRelu6),
			inputs:  []refTensor{qIn(tensor.Int8, 0.03, 3, 55, 1, 4, 4, 8), qIn(tensor.Int8, 0.007, -5, 56, 1, 1, 1, 8)},
			outputs: []refTensor{qOut(tensor.Int8, 0.01, -7, 1, 4, 4, 8)}},
		{name: "mul_uint8_same", options: mulOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.02, 128, 57, 2, 5, 7), qIn(tensor.Uint8, 0.03, 100, 58, 2, 5, 7)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.05, 60, 2, 5, 7)}},
		{name: "mul_uint8_bcast", options: mulOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.3, 128, 59, 3, 5), qIn(tensor.Uint8, 0.2, 120, 60, 3, 1)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.07, 128, 3, 5)}},
		{name: "mul_float_bcast", options: mulOpts(ewActRelu),
			inputs:  []refTensor{fIn(61, 2, 3, 4), fIn(62, 2, 1, 4)},
			outputs: []refTensor{fOut(2, 3, 4)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorMUL
		c.version = 2
		if c.inputs[0].typ == tensor.Float32 {
			c.version = 1
		}
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestMulUint8MultiplierAboveOne: TF 2.2 returns only the sign of the
// product there (zero point ± 1), so we refuse the model instead.
func TestMulUint8MultiplierAboveOne(t *testing.T) {
	n := &Node{Code: schema.BuiltinOperatorMUL,
		Inputs:  []*tensor.Tensor{ewTensor("a", tensor.Uint8, 0.3, 128, 3), ewTensor("b", tensor.Uint8, 0.2, 120, 3)},
		Outputs: []*tensor.Tensor{ewTensor("o", tensor.Uint8, 0.05, 128, 3)}}
	if _, err := newMul(n, MulOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}
