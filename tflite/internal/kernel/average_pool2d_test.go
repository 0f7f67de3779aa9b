package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// poolOpts returns an options builder for Pool2DOptions.
func poolOpts(pad schema.Padding, sh, sw, fh, fw int, act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.Pool2DOptionsStart(b)
		schema.Pool2DOptionsAddPadding(b, pad)
		schema.Pool2DOptionsAddStrideH(b, int32(sh))
		schema.Pool2DOptionsAddStrideW(b, int32(sw))
		schema.Pool2DOptionsAddFilterHeight(b, int32(fh))
		schema.Pool2DOptionsAddFilterWidth(b, int32(fw))
		schema.Pool2DOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsPool2DOptions, schema.Pool2DOptionsEnd(b)
	}
}

func TestAveragePool2DReference(t *testing.T) {
	const (
		same  = schema.PaddingSAME
		valid = schema.PaddingVALID
		none  = schema.ActivationFunctionTypeNONE
		relu6 = schema.ActivationFunctionTypeRELU6
	)
	cases := []refCase{
		{name: "avgpool_int8_same_3x3_s2", options: poolOpts(same, 2, 2, 3, 3, none),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 1, 1, 7, 6, 5)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -3, 1, 4, 3, 5)}},
		{name: "avgpool_int8_valid_global", options: poolOpts(valid, 1, 1, 5, 4, none),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 10, 2, 2, 5, 4, 8)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 10, 2, 1, 1, 8)}},
		{name: "avgpool_int8_same_relu6", options: poolOpts(same, 1, 1, 2, 2, relu6),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -128, 3, 1, 5, 5, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -128, 1, 5, 5, 3)}},
		{name: "avgpool_uint8_same_3x3_s2", options: poolOpts(same, 2, 2, 3, 3, none),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.02, 128, 4, 1, 7, 7, 4)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.02, 128, 1, 4, 4, 4)}},
		{name: "avgpool_uint8_relu6", options: poolOpts(valid, 2, 1, 2, 3, relu6),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.03, 100, 5, 1, 6, 6, 2)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.03, 100, 1, 3, 4, 2)}},
		{name: "avgpool_float_same", options: poolOpts(same, 2, 2, 3, 3, none),
			inputs:  []refTensor{fIn(6, 2, 7, 6, 3)},
			outputs: []refTensor{fOut(2, 4, 3, 3)}},
		{name: "avgpool_float_relu6", options: poolOpts(valid, 1, 2, 2, 2, relu6),
			inputs:  []refTensor{fIn(7, 1, 4, 5, 2)},
			outputs: []refTensor{fOut(1, 3, 2, 2)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorAVERAGE_POOL_2D
		c.version = 2
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestAveragePool2DRounding checks the rounding rule by hand: sums are
// divided by the count of in-bounds cells, halves away from zero.
func TestAveragePool2DRounding(t *testing.T) {
	// A 1x2x2x1 input with a 2x2 SAME window, stride 1: output (0,0) sees
	// all four cells, (0,1) two, (1,0) two, (1,1) one.
	tests := []struct {
		name string
		in   []int8
		want []int8
	}{
		// (-1-2-3-4)/4 = -2.5 → -3; (-2-4)/2 = -3; (-3-4)/2 = -3.5 → -4; -4.
		{"negative halves", []int8{-1, -2, -3, -4}, []int8{-3, -3, -4, -4}},
		// (1+2+3+4)/4 = 2.5 → 3; (2+4)/2 = 3; (3+4)/2 = 3.5 → 4; 4.
		{"positive halves", []int8{1, 2, 3, 4}, []int8{3, 3, 4, 4}},
		// (-128-128+127+127)/4 = -0.5 → -1.
		{"extremes", []int8{-128, 127, -128, 127}, []int8{-1, 127, -1, 127}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &tensor.Tensor{Name: "in", Type: tensor.Int8, Shape: []int{1, 2, 2, 1}, Scale: []float32{1}, ZeroPoint: []int64{0}, Data: int8Bytes(tc.in)}
			out := &tensor.Tensor{Name: "out", Type: tensor.Int8, Shape: []int{1, 2, 2, 1}, Scale: []float32{1}, ZeroPoint: []int64{0}, Data: make([]byte, 4)}
			n := &Node{Code: schema.BuiltinOperatorAVERAGE_POOL_2D, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
			op, err := newAveragePool2D(n, Pool2DOptions{Padding: schema.PaddingSAME, StrideH: 1, StrideW: 1, FilterH: 2, FilterW: 2})
			if err != nil {
				t.Fatal(err)
			}
			if err := op.Eval(); err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				if got := out.Int8()[i]; got != w {
					t.Errorf("out[%d] = %d, want %d", i, got, w)
				}
			}
		})
	}
}

func int8Bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// TestPool2DErrors covers both pooling ops' validation.
func TestPool2DErrors(t *testing.T) {
	q := func(typ tensor.DType, shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "t", Type: typ, Shape: shape, Scale: []float32{0.1}, ZeroPoint: []int64{0}}
	}
	good := Pool2DOptions{Padding: schema.PaddingVALID, StrideH: 1, StrideW: 1, FilterH: 2, FilterW: 2}
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		opts    Pool2DOptions
		want    error
	}{
		{"3-D input", q(tensor.Int8, 3, 3, 1), q(tensor.Int8, 2, 2, 1), good, ErrInvalid},
		{"wrong output shape", q(tensor.Int8, 1, 3, 3, 1), q(tensor.Int8, 1, 3, 3, 1), good, ErrInvalid},
		{"dtype mismatch", q(tensor.Int8, 1, 3, 3, 1), q(tensor.Uint8, 1, 2, 2, 1), good, ErrInvalid},
		{"int16 input", q(tensor.Int16, 1, 3, 3, 1), q(tensor.Int16, 1, 2, 2, 1), good, ErrUnsupported},
		{"zero stride", q(tensor.Int8, 1, 3, 3, 1), q(tensor.Int8, 1, 2, 2, 1), Pool2DOptions{Padding: schema.PaddingVALID, FilterH: 2, FilterW: 2}, ErrInvalid},
		{"filter larger than input", q(tensor.Int8, 1, 3, 3, 1), q(tensor.Int8, 1, 1, 1, 1), Pool2DOptions{Padding: schema.PaddingVALID, StrideH: 1, StrideW: 1, FilterH: 4, FilterW: 4}, ErrInvalid},
		{"tanh activation", q(tensor.Int8, 1, 3, 3, 1), q(tensor.Int8, 1, 2, 2, 1), Pool2DOptions{Padding: schema.PaddingVALID, StrideH: 1, StrideW: 1, FilterH: 2, FilterW: 2, Activation: schema.ActivationFunctionTypeTANH}, ErrUnsupported},
		{"quantized output without params", q(tensor.Int8, 1, 3, 3, 1), &tensor.Tensor{Name: "o", Type: tensor.Int8, Shape: []int{1, 2, 2, 1}}, good, ErrInvalid},
	}
	for _, tc := range tests {
		for _, mk := range []struct {
			name string
			fn   func(*Node, Pool2DOptions) (Op, error)
		}{{"avg", newAveragePool2D}, {"max", newMaxPool2D}} {
			t.Run(mk.name+"/"+tc.name, func(t *testing.T) {
				n := &Node{Code: schema.BuiltinOperatorAVERAGE_POOL_2D, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
				_, err := mk.fn(n, tc.opts)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			})
		}
	}
}
