package kernel

import (
	"errors"
	"math"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestQuantizeReference compares QUANTIZE with TFLite 2.2: float inputs
// (random in [-1, 1), and hand-picked halves, out-of-range values) and
// 8-bit requantization.
func TestQuantizeReference(t *testing.T) {
	halves := refTensor{typ: tensor.Float32, shape: []int{16}, data: float32Bytes(
		0.05, -0.05, 0.15, -0.15, 0.25, -0.25, 1.05, -1.05, 100, -100, 0, 0.0999999, 0.1000001, 3.14159, -2.5e-3, 12.75)}
	cases := []refCase{
		{name: "quantize_float_int8",
			inputs:  []refTensor{fIn(111, 4, 50)},
			outputs: []refTensor{qOut(tensor.Int8, 0.0078, -3, 4, 50)}},
		{name: "quantize_float_uint8",
			inputs:  []refTensor{fIn(112, 200)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.0079, 127, 200)}},
		{name: "quantize_float_int8_halves",
			inputs:  []refTensor{halves},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 0, 16)}},
		{name: "quantize_float_uint8_halves",
			inputs:  []refTensor{halves},
			outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 16)}},
		{name: "quantize_int8_int8", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 113, 300)},
			outputs: []refTensor{qOut(tensor.Int8, 0.03, 7, 300)}},
		{name: "quantize_uint8_int8", version: 2,
			inputs:  []refTensor{qIn(tensor.Uint8, 0.0078125, 128, 114, 256)},
			outputs: []refTensor{qOut(tensor.Int8, 0.0078125, 0, 256)}},
		{name: "quantize_int8_uint8", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.02, 1, 115, 256)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.05, 100, 256)}},
		{name: "quantize_uint8_uint8", version: 2,
			inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 10, 116, 256)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.3, 200, 256)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorQUANTIZE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestQuantizeNonFinite: NaN and infinities clamp instead of overflowing.
func TestQuantizeNonFinite(t *testing.T) {
	in := ewTensor("in", tensor.Float32, 0, 0, 4)
	copy(in.Float32(), []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e30})
	out := ewTensor("out", tensor.Int8, 0.5, 3, 4)
	n := &Node{Code: schema.BuiltinOperatorQUANTIZE, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
	op, err := newQuantize(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []int8{-128, 127, -128, 127}
	for i, w := range want {
		if got := out.Int8()[i]; got != w {
			t.Errorf("out[%d] = %d, want %d", i, got, w)
		}
	}
}

func TestQuantizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		want    error
	}{
		{"float output", ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Float32, 0, 0, 4), ErrUnsupported},
		{"int16 output", ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Int16, 0.1, 0, 4), ErrUnsupported},
		{"shape", ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 3), ErrInvalid},
		{"no output scale", ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Int8, 0, 0, 4), ErrInvalid},
		{"no input scale", ewTensor("i", tensor.Int8, 0, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), ErrInvalid},
		{"int32 input", ewTensor("i", tensor.Int32, 0, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorQUANTIZE, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newQuantize(n); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
