package kernel

import (
	"errors"
	"math"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func leakyReluOpts(alpha float32) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.LeakyReluOptionsStart(b)
		schema.LeakyReluOptionsAddAlpha(b, alpha)
		return schema.BuiltinOptionsLeakyReluOptions, schema.LeakyReluOptionsEnd(b)
	}
}

// TestLeakyReluReference compares LEAKY_RELU with TFLite 2.2 on every uint8
// input (TF 2.2 has no int8 LEAKY_RELU; see TestLeakyReluInt8) and float32.
func TestLeakyReluReference(t *testing.T) {
	every := func(typ tensor.DType, scale float32, zp int64) refTensor {
		r := qIn(typ, scale, zp, 0, 256)
		r.data = allBytes()
		return r
	}
	cases := []refCase{
		{name: "leaky_relu_float", options: leakyReluOpts(0.2), inputs: []refTensor{fIn(151, 3, 30)}, outputs: []refTensor{fOut(3, 30)}},
		// TF 2.2 copies non-negative uint8 inputs raw and quantizes alpha
		// on the input scale (here to 0: alpha/scale = 0.1).
		{name: "leaky_relu_uint8_rescale", options: leakyReluOpts(0.01),
			inputs: []refTensor{every(tensor.Uint8, 0.1, 128)}, outputs: []refTensor{qOut(tensor.Uint8, 0.07, 60, 256)}},
		{name: "leaky_relu_uint8_alpha", options: leakyReluOpts(0.3),
			inputs: []refTensor{every(tensor.Uint8, 0.05, 100)}, outputs: []refTensor{qOut(tensor.Uint8, 0.04, 70, 256)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorLEAKY_RELU
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestLeakyReluErrors(t *testing.T) {
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		alpha   float32
		want    error
	}{
		{"type", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Uint8, 0.1, 0, 4), 0.1, ErrInvalid},
		{"shape", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 3), 0.1, ErrInvalid},
		{"NaN alpha", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), float32(math.NaN()), ErrInvalid},
		{"int32", ewTensor("i", tensor.Int32, 0, 0, 4), ewTensor("o", tensor.Int32, 0, 0, 4), 0.1, ErrUnsupported},
		{"no scale", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0, 0, 4), 0.1, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorLEAKY_RELU, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newLeakyRelu(n, LeakyReluOptions{Alpha: tc.alpha}); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	c := refCase{code: schema.BuiltinOperatorLEAKY_RELU, options: leakyReluOpts(0.25), inputs: []refTensor{fIn(1, 4)}, outputs: []refTensor{fOut(4)}}
	if o, err := parseLeakyReluOptions(c.node(c.buildModel()).Op); err != nil || o.Alpha != 0.25 {
		t.Errorf("parse alpha 0.25: %+v, %v", o, err)
	}
}

// TestLeakyReluInt8 checks the int8 kernel (later TFLite's algorithm) by
// hand: input scale 0.5, output scale 0.25, alpha 0.5, zero points 0.
// Non-negative x → 2x; negative x → x (i.e. 0.5·0.5/0.25).
func TestLeakyReluInt8(t *testing.T) {
	in := ewTensor("in", tensor.Int8, 0.5, 0, 6)
	copy(in.Data, int8Bytes([]int8{0, 1, 60, 100, -3, -128}))
	out := ewTensor("out", tensor.Int8, 0.25, 0, 6)
	n := &Node{Code: schema.BuiltinOperatorLEAKY_RELU, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
	op, err := newLeakyRelu(n, LeakyReluOptions{Alpha: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []int8{0, 2, 120, 127, -3, -128}
	for i, w := range want {
		if got := out.Int8()[i]; got != w {
			t.Errorf("out[%d] = %d, want %d", i, got, w)
		}
	}
}
