package kernel

import (
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// allBytes is every 8-bit value once, so table-based kernels are checked on
// their whole domain.
func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestLogisticTanhReference compares LOGISTIC and TANH with TFLite 2.2 on
// every 8-bit input value, for several input scales, and on float32.
func TestLogisticTanhReference(t *testing.T) {
	logistic, tanh := schema.BuiltinOperatorLOGISTIC, schema.BuiltinOperatorTANH
	every := func(typ tensor.DType, scale float32, zp int64) refTensor {
		r := qIn(typ, scale, zp, 0, 256)
		r.data = allBytes()
		return r
	}
	cases := []refCase{
		{name: "logistic_float", code: logistic, inputs: []refTensor{fIn(131, 5, 30)}, outputs: []refTensor{fOut(5, 30)}},
		{name: "tanh_float", code: tanh, inputs: []refTensor{fIn(132, 5, 30)}, outputs: []refTensor{fOut(5, 30)}},
	}
	for i, p := range []struct {
		scale float32
		zp    int64
	}{{0.1, 0}, {0.0375, -20}, {0.5, 30}, {0.01, 5}} {
		for _, typ := range []tensor.DType{tensor.Int8, tensor.Uint8} {
			zp := p.zp
			outZP := int64(0)
			version := int32(2)
			if typ == tensor.Uint8 {
				zp += 128
				outZP = 128
				version = 1
			}
			suffix := typ.String() + "_" + string(rune('a'+i))
			cases = append(cases,
				refCase{name: "logistic_" + suffix, code: logistic, version: version,
					inputs: []refTensor{every(typ, p.scale, zp)}, outputs: []refTensor{qOut(typ, 1.0/256, outZP-128, 256)}},
				refCase{name: "tanh_" + suffix, code: tanh, version: version,
					inputs: []refTensor{every(typ, p.scale, zp)}, outputs: []refTensor{qOut(typ, 1.0/128, outZP, 256)}})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestLogisticTanhErrors(t *testing.T) {
	tests := []struct {
		name    string
		newOp   func(*Node) (Op, error)
		in, out *tensor.Tensor
		want    error
	}{
		{"logistic out scale", newLogistic, ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 1.0/128, -128, 4), ErrInvalid},
		{"logistic out zp", newLogistic, ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 1.0/256, 0, 4), ErrInvalid},
		{"logistic uint8 out zp", newLogistic, ewTensor("i", tensor.Uint8, 0.1, 0, 4), ewTensor("o", tensor.Uint8, 1.0/256, 128, 4), ErrInvalid},
		{"tanh out scale", newTanh, ewTensor("i", tensor.Int8, 0.1, 0, 4), ewTensor("o", tensor.Int8, 1.0/256, 0, 4), ErrInvalid},
		{"tanh uint8 out zp", newTanh, ewTensor("i", tensor.Uint8, 0.1, 0, 4), ewTensor("o", tensor.Uint8, 1.0/128, 0, 4), ErrInvalid},
		{"int16", newTanh, ewTensor("i", tensor.Int16, 0.1, 0, 4), ewTensor("o", tensor.Int16, 1.0/128, 0, 4), ErrUnsupported},
		{"shape", newLogistic, ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Float32, 0, 0, 2, 2), ErrInvalid},
		{"type", newLogistic, ewTensor("i", tensor.Float32, 0, 0, 4), ewTensor("o", tensor.Int8, 1.0/256, -128, 4), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorLOGISTIC, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := tc.newOp(n); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
