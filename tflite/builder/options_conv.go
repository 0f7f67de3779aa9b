package builder

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// Conv2D is CONV_2D: inputs (input [N,H,W,C], filter [O,KH,KW,C], optional
// bias [O]), one output. Zero strides and dilations mean 1.
type Conv2D struct {
	Padding              Padding
	StrideW, StrideH     int
	DilationW, DilationH int
	Activation           Activation
}

// Opcode returns OpConv2D.
func (Conv2D) Opcode() Opcode { return OpConv2D }

func (o Conv2D) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.Conv2DOptionsStart(fb)
	schema.Conv2DOptionsAddPadding(fb, schema.Padding(o.Padding))
	schema.Conv2DOptionsAddStrideW(fb, orOne(o.StrideW))
	schema.Conv2DOptionsAddStrideH(fb, orOne(o.StrideH))
	schema.Conv2DOptionsAddDilationWFactor(fb, orOne(o.DilationW))
	schema.Conv2DOptionsAddDilationHFactor(fb, orOne(o.DilationH))
	schema.Conv2DOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsConv2DOptions, schema.Conv2DOptionsEnd(fb)
}

// DepthwiseConv2D is DEPTHWISE_CONV_2D: inputs (input [N,H,W,C], filter
// [1,KH,KW,C*M], optional bias [C*M]), one output. Zero strides, dilations
// and depth multiplier mean 1.
type DepthwiseConv2D struct {
	Padding              Padding
	StrideW, StrideH     int
	DilationW, DilationH int
	DepthMultiplier      int
	Activation           Activation
}

// Opcode returns OpDepthwiseConv2D.
func (DepthwiseConv2D) Opcode() Opcode { return OpDepthwiseConv2D }

func (o DepthwiseConv2D) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.DepthwiseConv2DOptionsStart(fb)
	schema.DepthwiseConv2DOptionsAddPadding(fb, schema.Padding(o.Padding))
	schema.DepthwiseConv2DOptionsAddStrideW(fb, orOne(o.StrideW))
	schema.DepthwiseConv2DOptionsAddStrideH(fb, orOne(o.StrideH))
	schema.DepthwiseConv2DOptionsAddDepthMultiplier(fb, orOne(o.DepthMultiplier))
	schema.DepthwiseConv2DOptionsAddDilationWFactor(fb, orOne(o.DilationW))
	schema.DepthwiseConv2DOptionsAddDilationHFactor(fb, orOne(o.DilationH))
	schema.DepthwiseConv2DOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsDepthwiseConv2DOptions, schema.DepthwiseConv2DOptionsEnd(fb)
}

// FullyConnected is FULLY_CONNECTED: inputs (input, weights [units, depth],
// optional bias [units]), one output.
type FullyConnected struct {
	Activation  Activation
	KeepNumDims bool
	// ShuffledWeights selects the SHUFFLED4x16INT8 weights format (which
	// the engine refuses); false is the default format.
	ShuffledWeights bool
}

// Opcode returns OpFullyConnected.
func (FullyConnected) Opcode() Opcode { return OpFullyConnected }

func (o FullyConnected) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.FullyConnectedOptionsStart(fb)
	schema.FullyConnectedOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	schema.FullyConnectedOptionsAddKeepNumDims(fb, o.KeepNumDims)
	if o.ShuffledWeights {
		schema.FullyConnectedOptionsAddWeightsFormat(fb, schema.FullyConnectedOptionsWeightsFormatSHUFFLED4x16INT8)
	}
	return schema.BuiltinOptionsFullyConnectedOptions, schema.FullyConnectedOptionsEnd(fb)
}

// Pool2D holds the options shared by AVERAGE_POOL_2D and MAX_POOL_2D. Zero
// strides mean 1.
type Pool2D struct {
	Padding                   Padding
	StrideW, StrideH          int
	FilterWidth, FilterHeight int
	Activation                Activation
}

func (o Pool2D) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.Pool2DOptionsStart(fb)
	schema.Pool2DOptionsAddPadding(fb, schema.Padding(o.Padding))
	schema.Pool2DOptionsAddStrideW(fb, orOne(o.StrideW))
	schema.Pool2DOptionsAddStrideH(fb, orOne(o.StrideH))
	schema.Pool2DOptionsAddFilterWidth(fb, int32(o.FilterWidth))
	schema.Pool2DOptionsAddFilterHeight(fb, int32(o.FilterHeight))
	schema.Pool2DOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsPool2DOptions, schema.Pool2DOptionsEnd(fb)
}

// AveragePool2D is AVERAGE_POOL_2D: one input [N,H,W,C], one output.
type AveragePool2D Pool2D

// Opcode returns OpAveragePool2D.
func (AveragePool2D) Opcode() Opcode { return OpAveragePool2D }

func (o AveragePool2D) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return Pool2D(o).encode(fb)
}

// MaxPool2D is MAX_POOL_2D: one input [N,H,W,C], one output.
type MaxPool2D Pool2D

// Opcode returns OpMaxPool2D.
func (MaxPool2D) Opcode() Opcode { return OpMaxPool2D }

func (o MaxPool2D) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return Pool2D(o).encode(fb)
}
