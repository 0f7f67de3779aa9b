package builder

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// Add is ADD: two inputs (broadcast), one output.
type Add struct{ Activation Activation }

// Opcode returns OpAdd.
func (Add) Opcode() Opcode { return OpAdd }

func (o Add) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.AddOptionsStart(fb)
	schema.AddOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsAddOptions, schema.AddOptionsEnd(fb)
}

// Sub is SUB: two inputs (broadcast), one output.
type Sub struct{ Activation Activation }

// Opcode returns OpSub.
func (Sub) Opcode() Opcode { return OpSub }

func (o Sub) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.SubOptionsStart(fb)
	schema.SubOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsSubOptions, schema.SubOptionsEnd(fb)
}

// Mul is MUL: two inputs (broadcast), one output.
type Mul struct{ Activation Activation }

// Opcode returns OpMul.
func (Mul) Opcode() Opcode { return OpMul }

func (o Mul) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.MulOptionsStart(fb)
	schema.MulOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsMulOptions, schema.MulOptionsEnd(fb)
}

// Relu is RELU: one input, one output.
type Relu struct{ noOptions }

// Opcode returns OpRelu.
func (Relu) Opcode() Opcode { return OpRelu }

// Relu6 is RELU6: one input, one output.
type Relu6 struct{ noOptions }

// Opcode returns OpRelu6.
func (Relu6) Opcode() Opcode { return OpRelu6 }

// Logistic is LOGISTIC (sigmoid): one input, one output.
type Logistic struct{ noOptions }

// Opcode returns OpLogistic.
func (Logistic) Opcode() Opcode { return OpLogistic }

// Tanh is TANH: one input, one output.
type Tanh struct{ noOptions }

// Opcode returns OpTanh.
func (Tanh) Opcode() Opcode { return OpTanh }

// HardSwish is HARD_SWISH: one input, one output.
type HardSwish struct{}

// Opcode returns OpHardSwish.
func (HardSwish) Opcode() Opcode { return OpHardSwish }

func (HardSwish) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsHardSwishOptions)
}

// LeakyRelu is LEAKY_RELU: one input, one output; x < 0 maps to Alpha·x.
type LeakyRelu struct{ Alpha float32 }

// Opcode returns OpLeakyRelu.
func (LeakyRelu) Opcode() Opcode { return OpLeakyRelu }

func (o LeakyRelu) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.LeakyReluOptionsStart(fb)
	schema.LeakyReluOptionsAddAlpha(fb, o.Alpha)
	return schema.BuiltinOptionsLeakyReluOptions, schema.LeakyReluOptionsEnd(fb)
}

// Softmax is SOFTMAX: one input, one output. Beta 0 means 1.
type Softmax struct{ Beta float32 }

// Opcode returns OpSoftmax.
func (Softmax) Opcode() Opcode { return OpSoftmax }

func (o Softmax) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	beta := o.Beta
	if beta == 0 {
		beta = 1
	}
	schema.SoftmaxOptionsStart(fb)
	schema.SoftmaxOptionsAddBeta(fb, beta)
	return schema.BuiltinOptionsSoftmaxOptions, schema.SoftmaxOptionsEnd(fb)
}

// Quantize is QUANTIZE: float32 → int8/uint8, or requantization between
// quantized types.
type Quantize struct{}

// Opcode returns OpQuantize.
func (Quantize) Opcode() Opcode { return OpQuantize }

func (Quantize) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsQuantizeOptions)
}

// Dequantize is DEQUANTIZE: int8/uint8/float16 → float32.
type Dequantize struct{}

// Opcode returns OpDequantize.
func (Dequantize) Opcode() Opcode { return OpDequantize }

func (Dequantize) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsDequantizeOptions)
}
