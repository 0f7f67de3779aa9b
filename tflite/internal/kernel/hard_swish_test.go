package kernel

import (
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestHardSwishReference compares HARD_SWISH with TFLite 2.2 on every 8-bit
// input, with input scales that make the reluish exponent negative, zero
// and positive (the left-shift saturation path).
func TestHardSwishReference(t *testing.T) {
	every := func(typ tensor.DType, scale float32, zp int64) refTensor {
		r := qIn(typ, scale, zp, 0, 256)
		r.data = allBytes()
		return r
	}
	cases := []refCase{
		{name: "hard_swish_float", inputs: []refTensor{{typ: tensor.Float32, shape: []int{2, 50}, data: randFloatRange(141, 100, 8)}}, outputs: []refTensor{fOut(2, 50)}},
	}
	for i, p := range []struct{ inScale, outScale float32 }{{0.05, 0.03}, {0.5, 0.3}, {0.002, 0.001}, {0.0234, 0.0234}} {
		for _, typ := range []tensor.DType{tensor.Int8, tensor.Uint8} {
			zp, outZP := int64(-10), int64(-100)
			if typ == tensor.Uint8 {
				zp, outZP = 118, 28
			}
			cases = append(cases, refCase{name: "hard_swish_" + typ.String() + "_" + string(rune('a'+i)),
				inputs: []refTensor{every(typ, p.inScale, zp)}, outputs: []refTensor{qOut(typ, p.outScale, outZP, 256)}})
		}
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorHARD_SWISH
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// randFloatRange returns n float32 values uniform in [-r, r).
func randFloatRange(seed uint64, n int, r float32) []byte {
	b := randFloat32(seed, n)
	v := viewFloat32(b)
	for i := range v {
		v[i] *= r
	}
	return float32Bytes(v...)
}

func TestHardSwishErrors(t *testing.T) {
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		want    error
	}{
		{"type", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Uint8, 0.1, 0, 4), ErrInvalid},
		{"shape", ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 3), ErrInvalid},
		{"int16", ewTensor("i", tensor.Int16, 0.1, 0, 4), ewTensor("o", tensor.Int16, 0.1, 0, 4), ErrUnsupported},
		// input/128/output >= 1 needs a left shift TFLite does not allow.
		{"output multiplier", ewTensor("i", tensor.Int8, 1, 0, 4), ewTensor("o", tensor.Int8, 0.001, 0, 4), ErrUnsupported},
		{"no scale", ewTensor("i", tensor.Int8, 0, 0, 4), ewTensor("o", tensor.Int8, 0.1, 0, 4), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorHARD_SWISH, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newHardSwish(n); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
