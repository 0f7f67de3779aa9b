package kernel

import (
	"errors"
	"strings"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// TestWrongOptionsTable feeds each op that reads an options table another
// op's table through a real flatbuffer and expects ErrInvalid from
// prepare, naming both kinds.
func TestWrongOptionsTable(t *testing.T) {
	softmax := func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.SoftmaxOptionsStart(b)
		return schema.BuiltinOptionsSoftmaxOptions, schema.SoftmaxOptionsEnd(b)
	}
	squeeze := func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.SqueezeOptionsStart(b)
		return schema.BuiltinOptionsSqueezeOptions, schema.SqueezeOptionsEnd(b)
	}
	f := fIn(1, 1, 2, 2, 1)
	cases := []struct {
		code schema.BuiltinOperator
		want string // the options kind the op needs
	}{
		{schema.BuiltinOperatorAVERAGE_POOL_2D, "Pool2DOptions"},
		{schema.BuiltinOperatorMAX_POOL_2D, "Pool2DOptions"},
		{schema.BuiltinOperatorRESHAPE, "ReshapeOptions"},
		{schema.BuiltinOperatorSQUEEZE, "SqueezeOptions"},
		{schema.BuiltinOperatorPAD, "PadOptions"},
		{schema.BuiltinOperatorPADV2, "PadV2Options"},
		{schema.BuiltinOperatorTRANSPOSE, "TransposeOptions"},
		{schema.BuiltinOperatorCONCATENATION, "ConcatenationOptions"},
		{schema.BuiltinOperatorRESIZE_BILINEAR, "ResizeBilinearOptions"},
		{schema.BuiltinOperatorRESIZE_NEAREST_NEIGHBOR, "ResizeNearestNeighborOptions"},
		{schema.BuiltinOperatorSTRIDED_SLICE, "StridedSliceOptions"},
		{schema.BuiltinOperatorARG_MAX, "ArgMaxOptions"},
		{schema.BuiltinOperatorCONV_2D, "Conv2DOptions"},
		{schema.BuiltinOperatorDEPTHWISE_CONV_2D, "DepthwiseConv2DOptions"},
		{schema.BuiltinOperatorFULLY_CONNECTED, "FullyConnectedOptions"},
		{schema.BuiltinOperatorADD, "AddOptions"},
		{schema.BuiltinOperatorSUB, "SubOptions"},
		{schema.BuiltinOperatorMUL, "MulOptions"},
		{schema.BuiltinOperatorMEAN, "ReducerOptions"},
		{schema.BuiltinOperatorLEAKY_RELU, "LeakyReluOptions"},
		{schema.BuiltinOperatorSOFTMAX, "SoftmaxOptions"},
	}
	for _, tc := range cases {
		t.Run(OpName(tc.code), func(t *testing.T) {
			wrong, got := softmax, "SoftmaxOptions"
			if tc.want == got {
				wrong, got = squeeze, "SqueezeOptions"
			}
			c := refCase{code: tc.code, options: wrong, inputs: []refTensor{f}, outputs: []refTensor{fOut(1, 2, 2, 1)}}
			n := c.node(c.buildModel())
			prepare, _ := Lookup(tc.code)
			_, err := prepare(n)
			msg := "builtin options are " + got + ", want " + tc.want
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), msg) {
				t.Fatalf("err = %v, want ErrInvalid saying %q", err, msg)
			}
		})
	}
}

// TestReadOptions covers what TestWrongOptionsTable cannot reach through a
// valid flatbuffer: the options kind set with no table behind it.
func TestReadOptions(t *testing.T) {
	build := func(kind schema.BuiltinOptions, table bool) *schema.Operator {
		b := flatbuffers.NewBuilder(64)
		var opts flatbuffers.UOffsetT
		if table {
			schema.AddOptionsStart(b)
			schema.AddOptionsAddFusedActivationFunction(b, schema.ActivationFunctionTypeRELU6)
			opts = schema.AddOptionsEnd(b)
		}
		schema.OperatorStart(b)
		schema.OperatorAddBuiltinOptionsType(b, kind)
		if table {
			schema.OperatorAddBuiltinOptions(b, opts)
		}
		b.Finish(schema.OperatorEnd(b))
		return schema.GetRootAsOperator(b.FinishedBytes(), 0)
	}
	o, err := readOptions[schema.AddOptions](build(schema.BuiltinOptionsAddOptions, true), schema.BuiltinOptionsAddOptions)
	if err != nil || o.FusedActivationFunction() != schema.ActivationFunctionTypeRELU6 {
		t.Fatalf("present table: %v, %v; want RELU6", o, err)
	}
	_, err = readOptions[schema.AddOptions](build(schema.BuiltinOptionsAddOptions, false), schema.BuiltinOptionsAddOptions)
	if !errors.Is(err, ErrInvalid) || err.Error() != "builtin options table AddOptions is missing" {
		t.Fatalf("missing table: err = %v", err)
	}
	_, err = readOptions[schema.AddOptions](build(schema.BuiltinOptionsNONE, false), schema.BuiltinOptionsAddOptions)
	if !errors.Is(err, ErrInvalid) || err.Error() != "builtin options are NONE, want AddOptions" {
		t.Fatalf("no options: err = %v", err)
	}
}
