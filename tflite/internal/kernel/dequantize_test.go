package kernel

import (
	"errors"
	"math"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestDequantizeReference compares DEQUANTIZE with TFLite 2.2. (The runner
// needs a model input, so float16 constants are covered by the exhaustive
// test below and by the face_detection golden.)
func TestDequantizeReference(t *testing.T) {
	cases := []refCase{
		{name: "dequantize_int8", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.0173, -9, 101, 2, 64)},
			outputs: []refTensor{fOut(2, 64)}},
		{name: "dequantize_uint8",
			inputs:  []refTensor{qIn(tensor.Uint8, 0.0078125, 128, 102, 256)},
			outputs: []refTensor{fOut(256)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorDEQUANTIZE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestFloat16ToFloat32Exhaustive checks every binary16 bit pattern against
// the definition: (-1)^s × 2^(e-15) × (1 + f/1024), subnormals
// 2^-14 × f/1024, e = 31 infinities and NaNs.
func TestFloat16ToFloat32Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		s, e, f := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 31 && f == 0:
			want = math.Inf(1)
		case e == 31:
			want = math.NaN()
		case e == 0:
			want = math.Ldexp(float64(f)/1024, -14)
		default:
			want = math.Ldexp(1+float64(f)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		got := float16ToFloat32(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
}

// TestDequantizePerAxis checks per-channel dequantization on the last axis
// by hand.
func TestDequantizePerAxis(t *testing.T) {
	in := &tensor.Tensor{Name: "w", Type: tensor.Int8, Shape: []int{2, 3}, Scale: []float32{0.5, 0.25, 2}, ZeroPoint: []int64{0, 1, -1}, QuantizedDim: 1, Data: int8Bytes([]int8{2, 2, 2, -4, 5, -1})}
	out := ewTensor("out", tensor.Float32, 0, 0, 2, 3)
	n := &Node{Code: schema.BuiltinOperatorDEQUANTIZE, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
	op, err := newDequantize(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 0.25, 6, -2, 1, 0}
	for i, w := range want {
		if got := out.Float32()[i]; got != w {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}

func TestDequantizeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		want    error
	}{
		{"int8 output", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), ErrUnsupported},
		{"shape", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Float32, 0, 0, 5), ErrInvalid},
		{"int32 input", ewTensor("i", tensor.Int32, 0.1, 0, 4), ewTensor("o", tensor.Float32, 0, 0, 4), ErrUnsupported},
		{"no scale", ewTensor("i", tensor.Int8, 0, 0, 4), ewTensor("o", tensor.Float32, 0, 0, 4), ErrInvalid},
		{"per-axis length", &tensor.Tensor{Name: "i", Type: tensor.Int8, Shape: []int{2, 3}, Scale: []float32{1, 2}, ZeroPoint: []int64{0, 0}, QuantizedDim: 1}, ewTensor("o", tensor.Float32, 0, 0, 2, 3), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorDEQUANTIZE, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newDequantize(n); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
