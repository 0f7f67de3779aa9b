package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

const (
	sameP    = schema.PaddingSAME
	validP   = schema.PaddingVALID
	actNone  = schema.ActivationFunctionTypeNONE
	actRelu  = schema.ActivationFunctionTypeRELU
	actRelu6 = schema.ActivationFunctionTypeRELU6
)

// convOpts returns an options builder for Conv2DOptions.
func convOpts(pad schema.Padding, sh, sw, dh, dw int, act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.Conv2DOptionsStart(b)
		schema.Conv2DOptionsAddPadding(b, pad)
		schema.Conv2DOptionsAddStrideH(b, int32(sh))
		schema.Conv2DOptionsAddStrideW(b, int32(sw))
		schema.Conv2DOptionsAddDilationHFactor(b, int32(dh))
		schema.Conv2DOptionsAddDilationWFactor(b, int32(dw))
		schema.Conv2DOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsConv2DOptions, schema.Conv2DOptionsEnd(b)
	}
}

// qWeights is a constant quantized filter with random values; one scale
// means per-tensor, several per-channel (zero points 0 for int8).
func qWeights(typ tensor.DType, scales []float32, zp int64, seed uint64, shape ...int) refTensor {
	zps := make([]int64, len(scales))
	for i := range zps {
		zps[i] = zp
	}
	data := randInt8(seed, elems(shape...))
	if typ == tensor.Int8 {
		for i, v := range data {
			if int8(v) == -128 { // symmetric int8 weights stay in [-127, 127]
				data[i] = byte(0x81)
			}
		}
	}
	return refTensor{typ: typ, shape: shape, scale: scales, zp: zps, data: data, konst: true}
}

// qBias is a constant int32 bias with the given scale and values spread
// over ±spread.
func qBias(scale float32, spread int32, seed uint64, n int) refTensor {
	raw := randInt8(seed, 4*n)
	v := make([]int32, n)
	for i := range v {
		u := int32(raw[4*i]) | int32(raw[4*i+1])<<8 | int32(raw[4*i+2])<<16
		v[i] = u%(2*spread+1) - spread
	}
	t := constI32([]int{n}, v...)
	t.scale, t.zp = []float32{scale}, []int64{0}
	return t
}

// fWeights is a constant float32 tensor with values in [-1, 1).
func fWeights(seed uint64, shape ...int) refTensor {
	t := fIn(seed, shape...)
	t.konst = true
	return t
}

// TestConv2DReference runs CONV_2D cases recorded from TFLite 2.2, which
// refuses a CONV_2D without bias; the bias-less path is covered by hand.
func TestConv2DReference(t *testing.T) {
	cases := []refCase{
		{name: "conv_int8_perchannel_same_3x3", options: convOpts(sameP, 1, 1, 1, 1, actNone),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.05, -3, 11, 1, 5, 5, 3),
				qWeights(tensor.Int8, []float32{0.02, 0.01, 0.03, 0.015}, 0, 12, 4, 3, 3, 3),
				qBias(0.05*0.02, 3000, 13, 4)},
			outputs: []refTensor{qOut(tensor.Int8, 0.25, 5, 1, 5, 5, 4)}},
		{name: "conv_int8_valid_s2_relu6", options: convOpts(validP, 2, 2, 1, 1, actRelu6),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.04, 7, 21, 2, 7, 6, 2),
				qWeights(tensor.Int8, []float32{0.021, 0.012, 0.017}, 0, 22, 3, 3, 2, 2),
				qBias(0.04*0.021, 2000, 23, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -128, 2, 3, 3, 3)}},
		{name: "conv_int8_same_s2_odd", options: convOpts(sameP, 2, 2, 1, 1, actRelu),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.03, -10, 31, 1, 6, 7, 3),
				qWeights(tensor.Int8, []float32{0.011, 0.019}, 0, 32, 2, 3, 3, 3),
				qBias(0.03*0.011, 1000, 33, 2)},
			outputs: []refTensor{qOut(tensor.Int8, 0.15, -20, 1, 3, 4, 2)}},
		{name: "conv_int8_dilation2_same", options: convOpts(sameP, 1, 1, 2, 2, actNone),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.05, 2, 41, 1, 7, 6, 2),
				qWeights(tensor.Int8, []float32{0.02, 0.025}, 0, 42, 2, 3, 3, 2),
				qBias(0.05*0.02, 1500, 43, 2)},
			outputs: []refTensor{qOut(tensor.Int8, 0.2, 0, 1, 7, 6, 2)}},
		{name: "conv_int8_pertensor_zerobias_1x1", options: convOpts(validP, 1, 1, 1, 1, actNone),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.06, -128, 51, 1, 4, 3, 8),
				qWeights(tensor.Int8, []float32{0.013}, 0, 52, 5, 1, 1, 8),
				qBias(0.06*0.013, 0, 53, 5)},
			outputs: []refTensor{qOut(tensor.Int8, 0.12, 3, 1, 4, 3, 5)}},
		{name: "conv_uint8_same_s2_relu6", options: convOpts(sameP, 2, 2, 1, 1, actRelu6),
			inputs: []refTensor{
				qIn(tensor.Uint8, 0.0078125, 128, 61, 1, 7, 7, 3),
				qWeights(tensor.Uint8, []float32{0.021}, 119, 62, 4, 3, 3, 3),
				qBias(0.0078125*0.021, 3000, 63, 4)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.0235, 0, 1, 4, 4, 4)}},
		{name: "conv_uint8_valid_dilation", options: convOpts(validP, 1, 1, 2, 1, actNone),
			inputs: []refTensor{
				qIn(tensor.Uint8, 0.031, 100, 71, 2, 6, 5, 2),
				qWeights(tensor.Uint8, []float32{0.017}, 140, 72, 3, 2, 2, 2),
				qBias(0.031*0.017, 2000, 73, 3)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.09, 130, 2, 4, 4, 3)}},
		{name: "conv_float_same_s2_relu", options: convOpts(sameP, 2, 2, 1, 1, actRelu),
			inputs:  []refTensor{fIn(81, 1, 7, 6, 3), fWeights(82, 4, 3, 3, 3), fWeights(83, 4)},
			outputs: []refTensor{fOut(1, 4, 3, 4)}},
		{name: "conv_float_valid_dilation", options: convOpts(validP, 1, 2, 2, 2, actNone),
			inputs:  []refTensor{fIn(91, 2, 7, 8, 2), fWeights(92, 3, 2, 3, 2), fWeights(93, 3)},
			outputs: []refTensor{fOut(2, 5, 2, 3)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorCONV_2D
		c.version = 3
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// convTensor builds a tensor for hand-made cases.
func convTensor(name string, typ tensor.DType, shape []int, scale []float32, zp []int64, data []byte) *tensor.Tensor {
	t := &tensor.Tensor{Name: name, Type: typ, Shape: shape, Scale: scale, ZeroPoint: zp, Const: data != nil}
	if data == nil {
		data = alignedBytes(t.ByteSize())
	}
	t.Data = data
	return t
}

// TestConv2DFloatByHand is TFLite's conv_test SimpleTestFloat32: two
// batches, three 2x2 filters, stride 2, VALID.
func TestConv2DFloatByHand(t *testing.T) {
	in := convTensor("in", tensor.Float32, []int{2, 2, 4, 1}, nil, nil, nil)
	copy(in.Float32(), []float32{1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 3, 4, 1, 2, 3, 4})
	filter := convTensor("filter", tensor.Float32, []int{3, 2, 2, 1}, nil, nil, float32Bytes(1, 2, 3, 4, -1, 1, -1, 1, -1, -1, 1, 1))
	bias := convTensor("bias", tensor.Float32, []int{3}, nil, nil, float32Bytes(1, 2, 3))
	out := convTensor("out", tensor.Float32, []int{2, 1, 2, 3}, nil, nil, nil)
	n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}}
	op, err := newConv2D(n, Conv2DOptions{Padding: validP, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []float32{18, 2, 5, 18, 2, 5, 17, 4, 3, 37, 4, 3}
	for i, w := range want {
		if got := out.Float32()[i]; got != w {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}

// TestConv2DInt8ByHand checks offsets, SAME padding, per-channel
// multipliers, bias and clamping on values small enough to follow by hand.
// Input scale 0.5 (zp −1), filter scales {2, 1}, output scale 1: channel 0
// multiplies the raw sum by exactly 1, channel 1 by 0.5.
//
// Offset inputs x = q+1 = {2, 4, 0, 126}; SAME pads after, so output (y, x)
// sees the 2x2 window starting at (y, x). Raw sums, output order (0,0)
// (0,1) (1,0) (1,1):
//
//	ch0 (all-ones filter): 132, 130, 126, 126
//	ch1 (filter 1 2 3 4):  514, 382, 252, 126
func TestConv2DInt8ByHand(t *testing.T) {
	tests := []struct {
		name  string
		bias  []int32 // nil: no bias input
		outZP int64
		act   schema.ActivationFunctionType
		want  []int8 // [(0,0) ch0, ch1, (0,1) ch0, ch1, ...]
	}{
		// ch0: 142, 140, 136, 136 → +3 → all clamp to 127.
		// ch1: 507 → 253.5 → 254, 375 → 188, 245 → 123, 119 → 60; +3.
		{"bias", []int32{10, -7}, 3, actNone, []int8{127, 127, 127, 127, 127, 126, 127, 63}},
		// ch0: 132 −100 = 32, 30, 26, 26; ch1: 257 → 157 → 127, 191 → 91, 126 → 26, 63 → −37.
		{"no bias", nil, -100, actNone, []int8{32, 127, 30, 91, 26, 26, 26, -37}},
		// RELU6 clamps to [−100, −94]. ch0: 2, 0, −4, −4 → −98, −100, −104, −104;
		// ch1: 394 → 197, 262 → 131, 132 → 66, 6 → 3 → −100 +.
		{"relu6", []int32{-130, -120}, -100, actRelu6, []int8{-98, -94, -100, -94, -100, -94, -100, -97}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := convTensor("in", tensor.Int8, []int{1, 2, 2, 1}, []float32{0.5}, []int64{-1}, nil)
			copy(in.Int8(), []int8{1, 3, -1, 125})
			filter := convTensor("filter", tensor.Int8, []int{2, 2, 2, 1}, []float32{2, 1}, []int64{0, 0}, int8Bytes([]int8{1, 1, 1, 1, 1, 2, 3, 4}))
			inputs := []*tensor.Tensor{in, filter}
			if tc.bias != nil {
				inputs = append(inputs, convTensor("bias", tensor.Int32, []int{2}, []float32{1, 0.5}, []int64{0, 0}, int32Bytes(tc.bias...)))
			}
			out := convTensor("out", tensor.Int8, []int{1, 2, 2, 2}, []float32{1}, []int64{tc.outZP}, nil)
			n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: inputs, Outputs: []*tensor.Tensor{out}}
			op, err := newConv2D(n, Conv2DOptions{Padding: sameP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Activation: tc.act})
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
			if allocs := testing.AllocsPerRun(5, func() { _ = op.Eval() }); allocs != 0 {
				t.Errorf("Eval allocates %v times per run", allocs)
			}
		})
	}
}

// TestConv2DErrors covers CONV_2D validation.
func TestConv2DErrors(t *testing.T) {
	q := func(typ tensor.DType, shape ...int) *tensor.Tensor {
		return convTensor("act", typ, shape, []float32{0.1}, []int64{0}, nil)
	}
	w := func(typ tensor.DType, scales []float32, shape ...int) *tensor.Tensor {
		t := convTensor("w", typ, shape, scales, make([]int64, len(scales)), nil)
		t.Const = true
		return t
	}
	b := func(typ tensor.DType, n int) *tensor.Tensor {
		t := convTensor("b", typ, []int{n}, []float32{0.01}, []int64{0}, nil)
		t.Const = true
		return t
	}
	f := func(shape ...int) *tensor.Tensor { return convTensor("f", tensor.Float32, shape, nil, nil, nil) }
	good := Conv2DOptions{Padding: validP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	withAct := good
	withAct.Activation = schema.ActivationFunctionTypeTANH
	zeroStride := good
	zeroStride.StrideW = 0
	badPad := good
	badPad.Padding = 7
	nonConst := w(tensor.Int8, []float32{0.1, 0.1}, 2, 2, 2, 3)
	nonConst.Const = false
	wrongDim := w(tensor.Int8, []float32{0.1, 0.1}, 2, 2, 2, 3)
	wrongDim.QuantizedDim = 3
	nonzeroZP := w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)
	nonzeroZP.ZeroPoint = []int64{4}
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		out    *tensor.Tensor
		opts   Conv2DOptions
		want   error
	}{
		{"one input", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"3-D input", []*tensor.Tensor{q(tensor.Int8, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"3-D filter", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"wrong output shape", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 3, 3, 2), good, ErrInvalid},
		{"grouped", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 4), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 2)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrUnsupported},
		{"filter larger than input", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 4, 4, 3)}, q(tensor.Int8, 1, 1, 1, 2), good, ErrInvalid},
		{"zero stride", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), zeroStride, ErrInvalid},
		{"unknown padding", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), badPad, ErrUnsupported},
		{"int16 input", []*tensor.Tensor{q(tensor.Int16, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int16, 1, 2, 2, 2), good, ErrUnsupported},
		{"output type differs", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Uint8, 1, 2, 2, 2), good, ErrInvalid},
		{"uint8 filter on int8", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Uint8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrUnsupported},
		{"hybrid float", []*tensor.Tensor{f(1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, f(1, 2, 2, 2), good, ErrUnsupported},
		{"non-constant int8 filter", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), nonConst}, q(tensor.Int8, 1, 2, 2, 2), good, ErrUnsupported},
		{"per-channel count", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1, 0.2, 0.3}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"per-channel dimension", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), wrongDim}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"per-channel uint8", []*tensor.Tensor{q(tensor.Uint8, 1, 3, 3, 3), w(tensor.Uint8, []float32{0.1, 0.2}, 2, 2, 2, 3)}, q(tensor.Uint8, 1, 2, 2, 2), good, ErrUnsupported},
		{"asymmetric int8 filter", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), nonzeroZP}, q(tensor.Int8, 1, 2, 2, 2), good, ErrUnsupported},
		{"filter without quantization", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, nil, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"output without quantization", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, convTensor("o", tensor.Int8, []int{1, 2, 2, 2}, nil, nil, nil), good, ErrInvalid},
		{"bias length", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3), b(tensor.Int32, 3)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrInvalid},
		{"bias type", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3), b(tensor.Int64, 2)}, q(tensor.Int8, 1, 2, 2, 2), good, ErrUnsupported},
		{"uint8 bias scale mismatch", []*tensor.Tensor{q(tensor.Uint8, 1, 3, 3, 3), w(tensor.Uint8, []float32{0.5}, 2, 2, 2, 3), b(tensor.Int32, 2)}, q(tensor.Uint8, 1, 2, 2, 2), good, ErrInvalid},
		{"tanh activation", []*tensor.Tensor{q(tensor.Int8, 1, 3, 3, 3), w(tensor.Int8, []float32{0.1}, 2, 2, 2, 3)}, q(tensor.Int8, 1, 2, 2, 2), withAct, ErrUnsupported},
		{"float tanh activation", []*tensor.Tensor{f(1, 3, 3, 3), f(2, 2, 2, 3)}, f(1, 2, 2, 2), withAct, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: tc.inputs, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newConv2D(n, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestConv2DOptions checks option parsing from a serialized operator.
func TestConv2DOptions(t *testing.T) {
	got, err := parseConv2DOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Conv2DOptions{Padding: sameP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	c := refCase{code: schema.BuiltinOperatorCONV_2D, options: convOpts(validP, 2, 3, 4, 5, actRelu6),
		inputs:  []refTensor{fIn(1, 1, 3, 3, 1), fWeights(2, 1, 1, 1, 1)},
		outputs: []refTensor{fOut(1, 3, 3, 1)}}
	n := c.node(c.buildModel())
	got, err = parseConv2DOptions(n.Op)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Conv2DOptions{Padding: validP, StrideH: 2, StrideW: 3, DilationH: 4, DilationW: 5, Activation: actRelu6}); got != want {
		t.Errorf("parsed = %+v, want %+v", got, want)
	}
	c.options = poolOpts(validP, 1, 1, 1, 1, actNone)
	n = c.node(c.buildModel())
	if _, err := prepareConv2D(n); !errors.Is(err, ErrInvalid) {
		t.Errorf("Pool2DOptions on CONV_2D: err = %v, want ErrInvalid", err)
	}
}
