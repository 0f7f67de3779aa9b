package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// fcOpts returns an options builder for FullyConnectedOptions.
func fcOpts(act schema.ActivationFunctionType, keepNumDims bool, format schema.FullyConnectedOptionsWeightsFormat) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.FullyConnectedOptionsStart(b)
		schema.FullyConnectedOptionsAddFusedActivationFunction(b, act)
		schema.FullyConnectedOptionsAddKeepNumDims(b, keepNumDims)
		schema.FullyConnectedOptionsAddWeightsFormat(b, format)
		return schema.BuiltinOptionsFullyConnectedOptions, schema.FullyConnectedOptionsEnd(b)
	}
}

const fcDefault = schema.FullyConnectedOptionsWeightsFormatDEFAULT

// TestFullyConnectedReference runs FULLY_CONNECTED cases recorded from
// TFLite 2.2.
func TestFullyConnectedReference(t *testing.T) {
	cases := []refCase{
		{name: "fc_int8_bias", version: 4, options: fcOpts(actNone, false, fcDefault),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.05, -3, 211, 2, 10),
				qWeights(tensor.Int8, []float32{0.02}, 0, 212, 6, 10),
				qBias(0.05*0.02, 3000, 213, 6)},
			outputs: []refTensor{qOut(tensor.Int8, 0.15, 4, 2, 6)}},
		{name: "fc_int8_flatten_relu", version: 4, options: fcOpts(actRelu, false, fcDefault),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.03, 10, 221, 1, 2, 2, 5),
				qWeights(tensor.Int8, []float32{0.011}, 0, 222, 4, 20),
				qBias(0.03*0.011, 2000, 223, 4)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, -128, 1, 4)}},
		{name: "fc_int8_keep_num_dims_nobias", version: 5, options: fcOpts(actNone, true, fcDefault),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.04, -1, 231, 2, 3, 8),
				qWeights(tensor.Int8, []float32{0.017}, 0, 232, 5, 8)},
			outputs: []refTensor{qOut(tensor.Int8, 0.09, 0, 2, 3, 5)}},
		{name: "fc_uint8_relu6", version: 1, options: fcOpts(actRelu6, false, fcDefault),
			inputs: []refTensor{
				qIn(tensor.Uint8, 0.0235, 128, 241, 3, 16),
				qWeights(tensor.Uint8, []float32{0.013}, 131, 242, 7, 16),
				qBias(0.0235*0.013, 4000, 243, 7)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.03, 0, 3, 7)}},
		{name: "fc_uint8_nobias", version: 1, options: fcOpts(actNone, false, fcDefault),
			inputs: []refTensor{
				qIn(tensor.Uint8, 0.05, 100, 251, 1, 32),
				qWeights(tensor.Uint8, []float32{0.007}, 120, 252, 10, 32)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.1, 140, 1, 10)}},
		{name: "fc_float_relu", version: 1, options: fcOpts(actRelu, false, fcDefault),
			inputs:  []refTensor{fIn(261, 3, 12), fWeights(262, 5, 12), fWeights(263, 5)},
			outputs: []refTensor{fOut(3, 5)}},
		{name: "fc_float_nobias_flatten", version: 1, options: fcOpts(actNone, false, fcDefault),
			inputs:  []refTensor{fIn(271, 2, 2, 3, 4), fWeights(272, 6, 12)},
			outputs: []refTensor{fOut(4, 6)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorFULLY_CONNECTED
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestFullyConnectedFloatByHand is TFLite's fully_connected_test
// SimpleTest: two batches of ten inputs, three units with weights 1..10.
func TestFullyConnectedFloatByHand(t *testing.T) {
	in := convTensor("in", tensor.Float32, []int{2, 10}, nil, nil, nil)
	copy(in.Float32(), []float32{1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 1, 2, 3, 4, 5, 6, 7, -8, 9, -10})
	var w []float32
	for range 3 {
		w = append(w, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	}
	weights := convTensor("w", tensor.Float32, []int{3, 10}, nil, nil, float32Bytes(w...))
	bias := convTensor("bias", tensor.Float32, []int{3}, nil, nil, float32Bytes(1, 2, 3))
	out := convTensor("out", tensor.Float32, []int{2, 3}, nil, nil, nil)
	n := &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: []*tensor.Tensor{in, weights, bias}, Outputs: []*tensor.Tensor{out}}
	op, err := newFullyConnected(n, FullyConnectedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []float32{24, 25, 26, 58, 59, 60}
	for i, w := range want {
		if got := out.Float32()[i]; got != w {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}

// TestFullyConnectedQuantByHand checks offsets on both operands, bias,
// rounding and clamping for uint8 and int8, including per-channel int8
// weights. Scales are chosen so the multipliers are exact.
func TestFullyConnectedQuantByHand(t *testing.T) {
	tests := []struct {
		name    string
		typ     tensor.DType
		in      []byte // 2 batches × 3
		inZP    int64
		w       []byte // 2 units × 3
		wScales []float32
		wZP     int64
		bias    []int32
		act     schema.ActivationFunctionType
		outZP   int64
		want    []byte
	}{
		{
			// x = q − 10: {−10, 0, 10}, {5, 5, 5}; w = q − 2: {1, 2, 3}, {−1, 0, 1}.
			// Multiplier 0.5·1/1 = 0.5.
			// b0: u0 −10+0+30 = 20 +4 = 24 → 12 +100 = 112; u1 10+0+10 = 20 −4 = 16 → 8 → 108.
			// b1: u0 5+10+15 = 30 +4 = 34 → 17 → 117; u1 −5+0+5 = 0 −4 = −4 → −2 → 98.
			name: "uint8 offsets", typ: tensor.Uint8,
			in: []byte{0, 10, 20, 15, 15, 15}, inZP: 10,
			w: []byte{3, 4, 5, 1, 2, 3}, wScales: []float32{1}, wZP: 2,
			bias: []int32{4, -4}, outZP: 100,
			want: []byte{112, 108, 117, 98},
		},
		{
			// x = q + 5: {−100, 5, 120}, {1, 2, 3}; w per-tensor scale 1,
			// multiplier 0.5. b0: u0 −100+10+360 = 270 → 135 → clamp 127;
			// u1 100+0−120 = −20 → −10 −3 = −13. b1: u0 1+4+9 = 14 → 7 −3 = 4;
			// u1 −1+0−3 = −4 → −2 −3 = −5. RELU clamps below at zp −3.
			name: "int8 relu", typ: tensor.Int8,
			in: int8Bytes([]int8{-105, 0, 115, -4, -3, -2}), inZP: -5,
			w: int8Bytes([]int8{1, 2, 3, -1, 0, -1}), wScales: []float32{1},
			act: actRelu, outZP: -3,
			want: int8Bytes([]int8{127, -3, 4, -3}),
		},
		{
			// Per-channel: unit 0 multiplier 0.5·2 = 1, unit 1 0.5·0.25 = 0.125.
			// x = {−100, 5, 120}, {1, 2, 3}. b0: u0 270 → 270 → clamp 127;
			// u1 −20 → −2.5 → −3 (SRDHM exact, then round half away) −3 = −6.
			// b1: u0 14 → 14 −3 = 11; u1 −4 → −0.5 → −1 −3 = −4.
			name: "int8 per-channel", typ: tensor.Int8,
			in: int8Bytes([]int8{-105, 0, 115, -4, -3, -2}), inZP: -5,
			w: int8Bytes([]int8{1, 2, 3, -1, 0, -1}), wScales: []float32{2, 0.25},
			outZP: -3,
			want:  int8Bytes([]int8{127, -6, 11, -4}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := convTensor("in", tc.typ, []int{2, 3}, []float32{0.5}, []int64{tc.inZP}, nil)
			copy(in.Data, tc.in)
			zps := make([]int64, len(tc.wScales))
			zps[0] = tc.wZP
			w := convTensor("w", tc.typ, []int{2, 3}, tc.wScales, zps, tc.w)
			inputs := []*tensor.Tensor{in, w}
			if tc.bias != nil {
				inputs = append(inputs, convTensor("bias", tensor.Int32, []int{2}, []float32{0.5 * tc.wScales[0]}, []int64{0}, int32Bytes(tc.bias...)))
			}
			out := convTensor("out", tc.typ, []int{2, 2}, []float32{1}, []int64{tc.outZP}, nil)
			n := &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: inputs, Outputs: []*tensor.Tensor{out}}
			op, err := newFullyConnected(n, FullyConnectedOptions{Activation: tc.act})
			if err != nil {
				t.Fatal(err)
			}
			if err := op.Eval(); err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				if got := out.Data[i]; got != w {
					t.Errorf("out[%d] = %d, want %d", i, got, w)
				}
			}
			if allocs := testing.AllocsPerRun(5, func() { _ = op.Eval() }); allocs != 0 {
				t.Errorf("Eval allocates %v times per run", allocs)
			}
		})
	}
}

// TestFullyConnectedErrors covers FULLY_CONNECTED validation.
func TestFullyConnectedErrors(t *testing.T) {
	q := func(typ tensor.DType, shape ...int) *tensor.Tensor {
		return convTensor("act", typ, shape, []float32{0.1}, []int64{0}, nil)
	}
	w := func(typ tensor.DType, shape ...int) *tensor.Tensor {
		t := convTensor("w", typ, shape, []float32{0.1}, []int64{0}, nil)
		t.Const = true
		return t
	}
	f := func(shape ...int) *tensor.Tensor { return convTensor("f", tensor.Float32, shape, nil, nil, nil) }
	shuffled := FullyConnectedOptions{WeightsFormat: schema.FullyConnectedOptionsWeightsFormatSHUFFLED4x16INT8}
	keep := FullyConnectedOptions{KeepNumDims: true}
	nonConst := w(tensor.Int8, 4, 6)
	nonConst.Const = false
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		out    *tensor.Tensor
		opts   FullyConnectedOptions
		want   error
	}{
		{"shuffled weights", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6)}, q(tensor.Int8, 2, 4), shuffled, ErrUnsupported},
		{"3-D weights", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6, 1)}, q(tensor.Int8, 2, 4), FullyConnectedOptions{}, ErrInvalid},
		{"input not a multiple of depth", []*tensor.Tensor{q(tensor.Int8, 2, 7), w(tensor.Int8, 4, 6)}, q(tensor.Int8, 2, 4), FullyConnectedOptions{}, ErrInvalid},
		{"wrong output shape", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6)}, q(tensor.Int8, 2, 5), FullyConnectedOptions{}, ErrInvalid},
		{"keep_num_dims output", []*tensor.Tensor{q(tensor.Int8, 2, 3, 6), w(tensor.Int8, 4, 6)}, q(tensor.Int8, 6, 4), keep, ErrInvalid},
		{"keep_num_dims depth", []*tensor.Tensor{q(tensor.Int8, 2, 12), w(tensor.Int8, 4, 6)}, q(tensor.Int8, 2, 4), keep, ErrInvalid},
		{"hybrid float", []*tensor.Tensor{f(2, 6), w(tensor.Int8, 4, 6)}, f(2, 4), FullyConnectedOptions{}, ErrUnsupported},
		{"int16 input", []*tensor.Tensor{q(tensor.Int16, 2, 6), w(tensor.Int8, 4, 6)}, q(tensor.Int16, 2, 4), FullyConnectedOptions{}, ErrUnsupported},
		{"output type differs", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6)}, q(tensor.Uint8, 2, 4), FullyConnectedOptions{}, ErrInvalid},
		{"non-constant weights", []*tensor.Tensor{q(tensor.Int8, 2, 6), nonConst}, q(tensor.Int8, 2, 4), FullyConnectedOptions{}, ErrUnsupported},
		{"bias length", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6), convTensor("b", tensor.Int32, []int{3}, []float32{0.01}, []int64{0}, nil)}, q(tensor.Int8, 2, 4), FullyConnectedOptions{}, ErrInvalid},
		{"bias scale mismatch", []*tensor.Tensor{q(tensor.Int8, 2, 6), w(tensor.Int8, 4, 6), convTensor("b", tensor.Int32, []int{4}, []float32{0.5}, []int64{0}, nil)}, q(tensor.Int8, 2, 4), FullyConnectedOptions{}, ErrInvalid},
		{"sign_bit activation", []*tensor.Tensor{f(2, 6), f(4, 6)}, f(2, 4), FullyConnectedOptions{Activation: schema.ActivationFunctionTypeSIGN_BIT}, ErrUnsupported},
		{"missing output", []*tensor.Tensor{f(2, 6), f(4, 6)}, nil, FullyConnectedOptions{}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: tc.inputs, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newFullyConnected(n, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestFullyConnectedOptions checks option parsing from a serialized
// operator.
func TestFullyConnectedOptions(t *testing.T) {
	c := refCase{code: schema.BuiltinOperatorFULLY_CONNECTED,
		options: fcOpts(actRelu6, true, schema.FullyConnectedOptionsWeightsFormatSHUFFLED4x16INT8),
		inputs:  []refTensor{fIn(1, 1, 4), fWeights(2, 2, 4)},
		outputs: []refTensor{fOut(1, 2)}}
	n := c.node(c.buildModel())
	got, err := parseFullyConnectedOptions(n.Op)
	if err != nil {
		t.Fatal(err)
	}
	want := FullyConnectedOptions{Activation: actRelu6, KeepNumDims: true, WeightsFormat: schema.FullyConnectedOptionsWeightsFormatSHUFFLED4x16INT8}
	if got != want {
		t.Errorf("parsed = %+v, want %+v", got, want)
	}
	c.options = convOpts(validP, 1, 1, 1, 1, actNone)
	n = c.node(c.buildModel())
	if _, err := prepareFullyConnected(n); !errors.Is(err, ErrInvalid) {
		t.Errorf("Conv2DOptions on FULLY_CONNECTED: err = %v, want ErrInvalid", err)
	}
}
