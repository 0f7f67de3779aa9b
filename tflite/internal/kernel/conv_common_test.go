package kernel

import (
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Scales for which the two multiplier rules round differently: with input
// 0.05, filter 0.0027 and output 0.5, double(in)·double(f)/double(out) and
// double(float(in·f))/double(out) quantize to different Q31 multipliers,
// and an accumulator of ±ruleAcc requantizes to ±101 under the first rule
// and ±102 under the second. The cases below put exactly that accumulator
// in front of TFLite, so they fail if a kernel uses the wrong rule.
const (
	ruleIn, ruleFilter, ruleOut = float32(0.05), float32(0.0027), float32(0.5)
	ruleAcc                     = 375925
)

// TestMultiplierRulesDiffer proves the rule cases discriminate.
func TestMultiplierRulesDiffer(t *testing.T) {
	mPer, sPer := fixedpoint.QuantizeMultiplier(float64(ruleIn) * float64(ruleFilter) / float64(ruleOut))
	mLeg, sLeg := fixedpoint.QuantizeMultiplier(float64(float32(ruleIn*ruleFilter)) / float64(ruleOut))
	per := fixedpoint.MultiplyByQuantizedMultiplier(ruleAcc, mPer, sPer)
	leg := fixedpoint.MultiplyByQuantizedMultiplier(ruleAcc, mLeg, sLeg)
	if per != 101 || leg != 102 {
		t.Fatalf("per-channel rule gives %d, legacy rule %d; want 101 and 102", per, leg)
	}
}

// ruleInput is every 8-bit value once, so x − zero point = 0 occurs and the
// accumulator equals the bias there.
func ruleInput(typ tensor.DType, zp int64, shape ...int) refTensor {
	data := make([]byte, 256)
	for i := range data {
		data[i] = byte(i)
	}
	return refTensor{typ: typ, shape: shape, scale: []float32{ruleIn}, zp: []int64{zp}, data: data}
}

// ruleWeights is a constant filter of `units` weights equal to 127 after
// the zero point.
func ruleWeights(typ tensor.DType, zp int64, shape ...int) refTensor {
	data := make([]byte, elems(shape...))
	for i := range data {
		data[i] = byte(127 + zp)
	}
	return refTensor{typ: typ, shape: shape, scale: []float32{ruleFilter}, zp: []int64{zp}, data: data, konst: true}
}

// ruleBias places ±ruleAcc in the accumulator at x = 0.
func ruleBias() refTensor {
	b := constI32([]int{2}, ruleAcc, -ruleAcc)
	b.scale, b.zp = []float32{ruleIn * ruleFilter}, []int64{0}
	return b
}

// TestMultiplierRuleReference checks each op and type against TFLite 2.2
// on the scales where the rules disagree: int8 CONV_2D uses the
// per-channel (double) rule, as does int8 DEPTHWISE_CONV_2D; the uint8
// convolutions and per-tensor FULLY_CONNECTED use the legacy (float
// product) rule.
func TestMultiplierRuleReference(t *testing.T) {
	cases := []refCase{
		{name: "rule_conv_int8", code: schema.BuiltinOperatorCONV_2D, version: 3,
			options: convOpts(validP, 1, 1, 1, 1, actNone),
			inputs:  []refTensor{ruleInput(tensor.Int8, 0, 1, 16, 16, 1), ruleWeights(tensor.Int8, 0, 2, 1, 1, 1), ruleBias()},
			outputs: []refTensor{{typ: tensor.Int8, shape: []int{1, 16, 16, 2}, scale: []float32{ruleOut}, zp: []int64{0}}}},
		{name: "rule_conv_uint8", code: schema.BuiltinOperatorCONV_2D, version: 1,
			options: convOpts(validP, 1, 1, 1, 1, actNone),
			inputs:  []refTensor{ruleInput(tensor.Uint8, 128, 1, 16, 16, 1), ruleWeights(tensor.Uint8, 128, 2, 1, 1, 1), ruleBias()},
			outputs: []refTensor{{typ: tensor.Uint8, shape: []int{1, 16, 16, 2}, scale: []float32{ruleOut}, zp: []int64{128}}}},
		{name: "rule_depthwise_int8", code: schema.BuiltinOperatorDEPTHWISE_CONV_2D, version: 3,
			options: depthwiseOpts(validP, 1, 1, 1, 1, 2, actNone),
			inputs:  []refTensor{ruleInput(tensor.Int8, 0, 1, 16, 16, 1), ruleWeights(tensor.Int8, 0, 1, 1, 1, 2), ruleBias()},
			outputs: []refTensor{{typ: tensor.Int8, shape: []int{1, 16, 16, 2}, scale: []float32{ruleOut}, zp: []int64{0}}}},
		{name: "rule_depthwise_uint8", code: schema.BuiltinOperatorDEPTHWISE_CONV_2D, version: 1,
			options: depthwiseOpts(validP, 1, 1, 1, 1, 2, actNone),
			inputs:  []refTensor{ruleInput(tensor.Uint8, 128, 1, 16, 16, 1), ruleWeights(tensor.Uint8, 128, 1, 1, 1, 2), ruleBias()},
			outputs: []refTensor{{typ: tensor.Uint8, shape: []int{1, 16, 16, 2}, scale: []float32{ruleOut}, zp: []int64{128}}}},
		{name: "rule_fc_int8", code: schema.BuiltinOperatorFULLY_CONNECTED, version: 4,
			options: fcOpts(actNone, false, fcDefault),
			inputs:  []refTensor{ruleInput(tensor.Int8, 0, 256, 1), ruleWeights(tensor.Int8, 0, 2, 1), ruleBias()},
			outputs: []refTensor{{typ: tensor.Int8, shape: []int{256, 2}, scale: []float32{ruleOut}, zp: []int64{0}}}},
		{name: "rule_fc_uint8", code: schema.BuiltinOperatorFULLY_CONNECTED, version: 1,
			options: fcOpts(actNone, false, fcDefault),
			inputs:  []refTensor{ruleInput(tensor.Uint8, 128, 256, 1), ruleWeights(tensor.Uint8, 128, 2, 1), ruleBias()},
			outputs: []refTensor{{typ: tensor.Uint8, shape: []int{256, 2}, scale: []float32{ruleOut}, zp: []int64{128}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}
