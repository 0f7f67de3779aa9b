package kernel

import (
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func subOpts(act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.SubOptionsStart(b)
		schema.SubOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsSubOptions, schema.SubOptionsEnd(b)
	}
}

// TestSubReference compares SUB with TFLite 2.2.
func TestSubReference(t *testing.T) {
	cases := []refCase{
		{name: "sub_int8_same", options: subOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 31, 1, 8, 8, 3), qIn(tensor.Int8, 0.1, 5, 32, 1, 8, 8, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.12, -10, 1, 8, 8, 3)}},
		{name: "sub_int8_bcast_relu", options: subOpts(ewActRelu),
			inputs:  []refTensor{qIn(tensor.Int8, 0.02, 1, 33, 2, 3, 4), qIn(tensor.Int8, 0.03, -2, 34, 3, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.04, -128, 2, 3, 4)}},
		// Input 2's multiplier is an odd multiple of 2^10, so odd inputs
		// hit exact ties in its rescaling.
		{name: "sub_int8_ties", options: subOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Int8, 1, 0, 35, 16, 16), qIn(tensor.Int8, 0.75+1.0/(1<<21), 1, 36, 16, 16)},
			outputs: []refTensor{qOut(tensor.Int8, 2, 0, 16, 16)}},
		{name: "sub_uint8_same_relu6", options: subOpts(ewActRelu6),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.05, 128, 37, 1, 6, 6, 4), qIn(tensor.Uint8, 0.04, 120, 38, 1, 6, 6, 4)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.06, 30, 1, 6, 6, 4)}},
		{name: "sub_uint8_bcast", options: subOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.01, 0, 39, 4, 1, 5), qIn(tensor.Uint8, 0.02, 255, 40, 1, 3, 1)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.03, 128, 4, 3, 5)}},
		{name: "sub_uint8_ties", options: subOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Uint8, 1, 128, 41, 16, 16), qIn(tensor.Uint8, 0.75+1.0/(1<<21), 127, 42, 16, 16)},
			outputs: []refTensor{qOut(tensor.Uint8, 2, 128, 16, 16)}},
		{name: "sub_float_bcast", options: subOpts(ewActRelu6),
			inputs:  []refTensor{fIn(43, 2, 3, 4), fIn(44, 4)},
			outputs: []refTensor{fOut(2, 3, 4)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorSUB
		c.version = 2
		if c.inputs[0].typ == tensor.Float32 {
			c.version = 1
		}
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}
