package kernel

import (
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func TestMaxPool2DReference(t *testing.T) {
	const (
		same  = schema.PaddingSAME
		valid = schema.PaddingVALID
		none  = schema.ActivationFunctionTypeNONE
		relu  = schema.ActivationFunctionTypeRELU
	)
	cases := []refCase{
		{name: "maxpool_int8_same_3x3_s2", options: poolOpts(same, 2, 2, 3, 3, none),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 11, 1, 7, 6, 5)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -3, 1, 4, 3, 5)}},
		{name: "maxpool_int8_relu", options: poolOpts(valid, 2, 2, 2, 2, relu),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, 7, 12, 1, 6, 6, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, 7, 1, 3, 3, 3)}},
		{name: "maxpool_uint8_same", options: poolOpts(same, 1, 2, 2, 3, relu),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.02, 128, 13, 2, 5, 5, 2)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.02, 128, 2, 5, 3, 2)}},
		{name: "maxpool_float_same_2x2", options: poolOpts(same, 2, 2, 2, 2, none),
			inputs:  []refTensor{fIn(14, 1, 7, 8, 3)},
			outputs: []refTensor{fOut(1, 4, 4, 3)}},
		{name: "maxpool_float_relu", options: poolOpts(valid, 1, 1, 3, 2, relu),
			inputs:  []refTensor{fIn(15, 1, 5, 4, 2)},
			outputs: []refTensor{fOut(1, 3, 3, 2)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorMAX_POOL_2D
		c.version = 2
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}
