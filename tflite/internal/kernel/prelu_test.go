package kernel

import (
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestPreluReference compares PRELU with TFLite 2.2 on float32 (constant
// and run-time slopes, per-channel and full-shape) and uint8 (every input
// value against per-channel slopes). TF 2.2 has no int8 PRELU; see
// TestPreluInt8.
func TestPreluReference(t *testing.T) {
	konst := func(r refTensor) refTensor { r.konst = true; return r }
	everyU8 := qIn(tensor.Uint8, 0.1, 128, 0, 1, 16, 16)
	everyU8.data = allBytes()
	cases := []refCase{
		// MediaPipe's layout: NHWC activations, one slope per channel.
		{name: "prelu_float_channel", inputs: []refTensor{fIn(161, 1, 4, 5, 6), konst(fIn(162, 1, 1, 6))}, outputs: []refTensor{fOut(1, 4, 5, 6)}},
		{name: "prelu_float_runtime_alpha", inputs: []refTensor{fIn(163, 1, 3, 3, 8), fIn(164, 1, 1, 8)}, outputs: []refTensor{fOut(1, 3, 3, 8)}},
		{name: "prelu_float_same_shape", inputs: []refTensor{fIn(165, 2, 7), konst(fIn(166, 2, 7))}, outputs: []refTensor{fOut(2, 7)}},
		{name: "prelu_uint8_channel",
			inputs:  []refTensor{everyU8, konst(qIn(tensor.Uint8, 0.02, 100, 167, 16))},
			outputs: []refTensor{qOut(tensor.Uint8, 0.08, 90, 1, 16, 16)}},
		{name: "prelu_uint8_scalar_alpha",
			inputs:  []refTensor{qIn(tensor.Uint8, 0.05, 140, 168, 2, 3, 4, 5), konst(qIn(tensor.Uint8, 0.01, 0, 169, 1))},
			outputs: []refTensor{qOut(tensor.Uint8, 0.06, 110, 2, 3, 4, 5)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorPRELU
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestPreluInt8 checks the int8 kernel (later TFLite's algorithm) by hand:
// input scale 0.5 zero point -2, alpha scale 0.25 zero point 0 with
// per-channel slopes {2, -4} (reals 0.5, -1), output scale 0.25 zero point 1.
// Non-negative x: out = 2·(q+2) + 1; negative x: out = 0.5·(q+2)·a + 1.
func TestPreluInt8(t *testing.T) {
	in := ewTensor("in", tensor.Int8, 0.5, -2, 1, 3, 2)
	copy(in.Data, int8Bytes([]int8{-2, 3, 60, -7, -128, 127}))
	alpha := ewTensor("alpha", tensor.Int8, 0.25, 0, 2)
	copy(alpha.Data, int8Bytes([]int8{2, -4}))
	out := ewTensor("out", tensor.Int8, 0.25, 1, 1, 3, 2)
	n := &Node{Code: schema.BuiltinOperatorPRELU, Inputs: []*tensor.Tensor{in, alpha}, Outputs: []*tensor.Tensor{out}}
	op, err := newPrelu(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	// x=-2 (d 0) → 1; x=3 (d 5, ch1) → 11; x=60 (d 62) → 125;
	// x=-7 (d -5, ch1: -5·-4·0.5=10) → 11; x=-128 (d -126, ch0: -126·2·0.5=-126)
	// → -125; x=127 (d 129) → 259 → 127.
	want := []int8{1, 11, 125, 11, -125, 127}
	got := out.Int8()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("element %d: got %d want %d", i, got[i], want[i])
		}
	}
	if allocs := testing.AllocsPerRun(3, func() { _ = op.Eval() }); allocs != 0 {
		t.Errorf("Eval allocates %v times per run", allocs)
	}
}

func TestPreluErrors(t *testing.T) {
	f := func(shape ...int) *tensor.Tensor { return ewTensor("f", tensor.Float32, 0, 0, shape...) }
	u := func(scale float32, shape ...int) *tensor.Tensor {
		return ewTensor("u", tensor.Uint8, scale, 0, shape...)
	}
	tests := []struct {
		name           string
		in, alpha, out *tensor.Tensor
		want           error
	}{
		{"alpha type", f(1, 2, 3), u(0.1, 3), f(1, 2, 3), ErrInvalid},
		{"output type", f(1, 2, 3), f(3), u(0.1, 1, 2, 3), ErrInvalid},
		{"output shape", f(1, 2, 3), f(3), f(1, 3, 2), ErrInvalid},
		{"no broadcast", f(1, 2, 3), f(2), f(1, 2, 3), ErrInvalid},
		{"alpha wider than input", f(1, 2, 3), f(4, 1, 1), f(1, 2, 3), ErrInvalid},
		{"rank 5", f(1, 1, 2, 2, 3), f(3), f(1, 1, 2, 2, 3), ErrUnsupported},
		{"int32", ewTensor("i", tensor.Int32, 0, 0, 4), ewTensor("a", tensor.Int32, 0, 0, 4), ewTensor("o", tensor.Int32, 0, 0, 4), ErrUnsupported},
		{"uint8 no scale", u(0.1, 4), u(0, 4), u(0.1, 4), ErrInvalid},
		{"uint8 multiplier above one", u(1, 4), u(2, 4), u(0.5, 4), ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorPRELU, Inputs: []*tensor.Tensor{tc.in, tc.alpha}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newPrelu(n); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	n := &Node{Code: schema.BuiltinOperatorPRELU, Inputs: []*tensor.Tensor{f(2)}, Outputs: []*tensor.Tensor{f(2)}}
	if _, err := newPrelu(n); !errors.Is(err, ErrInvalid) {
		t.Errorf("one input: got %v, want ErrInvalid", err)
	}
}
