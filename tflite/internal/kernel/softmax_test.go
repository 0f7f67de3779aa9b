package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func softmaxOpts(beta float32) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.SoftmaxOptionsStart(b)
		schema.SoftmaxOptionsAddBeta(b, beta)
		return schema.BuiltinOptionsSoftmaxOptions, schema.SoftmaxOptionsEnd(b)
	}
}

// filled returns n bytes of value v.
func filled(v byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = v
	}
	return b
}

// TestSoftmaxReference compares SOFTMAX with TFLite 2.2: the classifier heads
// of the shared models (10, 12 and 1001 classes), large and small input
// scales (many differences below diff_min, or a large multiplier), beta ≠ 1,
// and rows whose exponentials sum past 2^9 (1001 equal logits), where the
// final shift exceeds 31 bits.
func TestSoftmaxReference(t *testing.T) {
	const i8, u8 = tensor.Int8, tensor.Uint8
	withData := func(r refTensor, data []byte) refTensor { r.data = data; return r }
	cases := []refCase{
		{name: "softmax_int8_10", options: softmaxOpts(1),
			inputs:  []refTensor{qIn(i8, 0.1, -3, 71, 1, 10)},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 1, 10)}},
		{name: "softmax_int8_rows_coarse", options: softmaxOpts(1),
			inputs:  []refTensor{qIn(i8, 0.5, 10, 72, 2, 3, 5)},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 2, 3, 5)}},
		{name: "softmax_int8_fine_scale", options: softmaxOpts(1),
			inputs:  []refTensor{qIn(i8, 0.003, 0, 73, 4, 12)},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 4, 12)}},
		{name: "softmax_int8_beta", options: softmaxOpts(0.37),
			inputs:  []refTensor{qIn(i8, 0.07, -128, 74, 3, 2, 2, 9)},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 3, 2, 2, 9)}},
		{name: "softmax_int8_1001_equal", options: softmaxOpts(1),
			inputs:  []refTensor{withData(qIn(i8, 0.1, 0, 0, 1, 1001), filled(5, 1001))},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 1, 1001)}},
		{name: "softmax_int8_600_equal_one_high", options: softmaxOpts(1),
			inputs:  []refTensor{withData(qIn(i8, 0.1, 0, 0, 1, 600), append(filled(0, 599), 30))},
			outputs: []refTensor{qOut(i8, 1.0/256, -128, 1, 600)}},
		{name: "softmax_uint8_1001", options: softmaxOpts(1),
			inputs:  []refTensor{qIn(u8, 0.15, 60, 75, 1, 1001)},
			outputs: []refTensor{qOut(u8, 1.0/256, 0, 1, 1001)}},
		{name: "softmax_uint8_1001_equal", options: softmaxOpts(1),
			inputs:  []refTensor{withData(qIn(u8, 0.15, 60, 0, 1, 1001), filled(77, 1001))},
			outputs: []refTensor{qOut(u8, 1.0/256, 0, 1, 1001)}},
		{name: "softmax_uint8_beta", options: softmaxOpts(2.5),
			inputs:  []refTensor{qIn(u8, 0.02, 128, 76, 5, 7)},
			outputs: []refTensor{qOut(u8, 1.0/256, 0, 5, 7)}},
		{name: "softmax_float", options: softmaxOpts(1),
			inputs:  []refTensor{fIn(77, 3, 6)},
			outputs: []refTensor{fOut(3, 6)}},
		{name: "softmax_float_beta", options: softmaxOpts(0.7),
			inputs:  []refTensor{fIn(78, 2, 2, 5)},
			outputs: []refTensor{fOut(2, 2, 5)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorSOFTMAX
		c.version = 2
		if c.inputs[0].typ == u8 || c.inputs[0].typ == tensor.Float32 {
			c.version = 1
		}
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestSoftmaxByHand: two equal logits give 1/2 = 128/256; a logit far below
// the maximum (past diff_min) gives exactly the minimum.
func TestSoftmaxByHand(t *testing.T) {
	in := ewTensor("in", tensor.Int8, 1, 0, 1, 3)
	out := ewTensor("out", tensor.Int8, 1.0/256, -128, 1, 3)
	copy(in.Data, int8Bytes([]int8{100, 100, -100}))
	n := &Node{Code: schema.BuiltinOperatorSOFTMAX, Inputs: []*tensor.Tensor{in}, Outputs: []*tensor.Tensor{out}}
	op, err := newSoftmax(n, SoftmaxOptions{Beta: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []int8{0, 0, -128} // 0.5 → 128 − 128 = 0
	for i, w := range want {
		if got := out.Int8()[i]; got != w {
			t.Errorf("out[%d] = %d, want %d", i, got, w)
		}
	}
}

func TestSoftmaxErrors(t *testing.T) {
	q := func(typ tensor.DType, scale float32, zp int64, shape ...int) *tensor.Tensor {
		return ewTensor("t", typ, scale, zp, shape...)
	}
	tests := []struct {
		name    string
		in, out *tensor.Tensor
		beta    float32
		want    error
	}{
		{"int8 output zero point", q(tensor.Int8, 0.1, 0, 1, 4), q(tensor.Int8, 1.0/256, 0, 1, 4), 1, ErrInvalid},
		{"uint8 output zero point", q(tensor.Uint8, 0.1, 0, 1, 4), q(tensor.Uint8, 1.0/256, -128, 1, 4), 1, ErrInvalid},
		{"output scale", q(tensor.Int8, 0.1, 0, 1, 4), q(tensor.Int8, 1.0/128, -128, 1, 4), 1, ErrInvalid},
		{"shape mismatch", q(tensor.Int8, 0.1, 0, 1, 4), q(tensor.Int8, 1.0/256, -128, 1, 5), 1, ErrInvalid},
		{"type mismatch", q(tensor.Int8, 0.1, 0, 1, 4), q(tensor.Uint8, 1.0/256, 0, 1, 4), 1, ErrInvalid},
		{"scalar", q(tensor.Int8, 0.1, 0), q(tensor.Int8, 1.0/256, -128), 1, ErrInvalid},
		{"rank 5 quantized", q(tensor.Int8, 0.1, 0, 1, 1, 1, 1, 4), q(tensor.Int8, 1.0/256, -128, 1, 1, 1, 1, 4), 1, ErrUnsupported},
		{"int16", q(tensor.Int16, 0.1, 0, 4), q(tensor.Int16, 1.0/32768, 0, 4), 1, ErrUnsupported},
		{"beta zero", q(tensor.Int8, 0.1, 0, 4), q(tensor.Int8, 1.0/256, -128, 4), 0, ErrUnsupported},
		{"tiny multiplier", q(tensor.Int8, 1e-9, 0, 4), q(tensor.Int8, 1.0/256, -128, 4), 1, ErrUnsupported},
		{"no input scale", q(tensor.Int8, 0, 0, 4), q(tensor.Int8, 1.0/256, -128, 4), 1, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorSOFTMAX, Inputs: []*tensor.Tensor{tc.in}, Outputs: []*tensor.Tensor{tc.out}}
			if _, err := newSoftmax(n, SoftmaxOptions{Beta: tc.beta}); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSoftmaxOptionsParse(t *testing.T) {
	if o, err := parseSoftmaxOptions(nil); err != nil || o.Beta != 1 {
		t.Errorf("nil op: %+v, %v; want beta 1", o, err)
	}
	c := refCase{code: schema.BuiltinOperatorSOFTMAX, options: softmaxOpts(0.25), inputs: []refTensor{fIn(1, 4)}, outputs: []refTensor{fOut(4)}}
	if o, err := parseSoftmaxOptions(c.node(c.buildModel()).Op); err != nil || o.Beta != 0.25 {
		t.Errorf("beta 0.25: %+v, %v", o, err)
	}
	c.options = addOpts(ewActNone)
	if _, err := prepareSoftmax(c.node(c.buildModel())); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddOptions on SOFTMAX: got %v, want ErrInvalid", err)
	}
}
