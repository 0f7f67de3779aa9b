package builder

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// Reshape is RESHAPE: input and optional int32 shape tensor, one output.
// NewShape, when non-nil, is also written to the options (older models
// carry the shape there only).
type Reshape struct{ NewShape []int32 }

// Opcode returns OpReshape.
func (Reshape) Opcode() Opcode { return OpReshape }

func (o Reshape) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	var shape flatbuffers.UOffsetT
	if o.NewShape != nil {
		shape = int32Vector(fb, o.NewShape)
	}
	schema.ReshapeOptionsStart(fb)
	if o.NewShape != nil {
		schema.ReshapeOptionsAddNewShape(fb, shape)
	}
	return schema.BuiltinOptionsReshapeOptions, schema.ReshapeOptionsEnd(fb)
}

// Squeeze is SQUEEZE: one input, one output; empty Dims removes every
// dimension of size 1.
type Squeeze struct{ Dims []int32 }

// Opcode returns OpSqueeze.
func (Squeeze) Opcode() Opcode { return OpSqueeze }

func (o Squeeze) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	var dims flatbuffers.UOffsetT
	if len(o.Dims) > 0 {
		dims = int32Vector(fb, o.Dims)
	}
	schema.SqueezeOptionsStart(fb)
	if len(o.Dims) > 0 {
		schema.SqueezeOptionsAddSqueezeDims(fb, dims)
	}
	return schema.BuiltinOptionsSqueezeOptions, schema.SqueezeOptionsEnd(fb)
}

// Transpose is TRANSPOSE: input and constant int32 permutation, one output.
type Transpose struct{}

// Opcode returns OpTranspose.
func (Transpose) Opcode() Opcode { return OpTranspose }

func (Transpose) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsTransposeOptions)
}

// Concatenation is CONCATENATION: several inputs joined along Axis
// (negative counts from the end), one output.
type Concatenation struct {
	Axis       int
	Activation Activation
}

// Opcode returns OpConcatenation.
func (Concatenation) Opcode() Opcode { return OpConcatenation }

func (o Concatenation) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.ConcatenationOptionsStart(fb)
	schema.ConcatenationOptionsAddAxis(fb, int32(o.Axis))
	schema.ConcatenationOptionsAddFusedActivationFunction(fb, schema.ActivationFunctionType(o.Activation))
	return schema.BuiltinOptionsConcatenationOptions, schema.ConcatenationOptionsEnd(fb)
}

// Pad is PAD: input and constant int32 paddings [rank, 2], one output.
type Pad struct{}

// Opcode returns OpPad.
func (Pad) Opcode() Opcode { return OpPad }

func (Pad) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsPadOptions)
}

// PadV2 is PADV2: input, constant int32 paddings [rank, 2] and a scalar
// constant pad value, one output.
type PadV2 struct{}

// Opcode returns OpPadV2.
func (PadV2) Opcode() Opcode { return OpPadV2 }

func (PadV2) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return emptyTable(fb, schema.BuiltinOptionsPadV2Options)
}

// Mean is MEAN: input and constant int32 axes, one output.
type Mean struct{ KeepDims bool }

// Opcode returns OpMean.
func (Mean) Opcode() Opcode { return OpMean }

func (o Mean) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.ReducerOptionsStart(fb)
	schema.ReducerOptionsAddKeepDims(fb, o.KeepDims)
	return schema.BuiltinOptionsReducerOptions, schema.ReducerOptionsEnd(fb)
}

// StridedSlice is STRIDED_SLICE: input and constant int32 begin, end and
// strides, one output. The masks are bit sets over dimensions.
type StridedSlice struct {
	BeginMask, EndMask, EllipsisMask, NewAxisMask, ShrinkAxisMask int32
	// Offset makes end relative to begin (newer TFLite only).
	Offset bool
}

// Opcode returns OpStridedSlice.
func (StridedSlice) Opcode() Opcode { return OpStridedSlice }

func (o StridedSlice) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.StridedSliceOptionsStart(fb)
	schema.StridedSliceOptionsAddBeginMask(fb, o.BeginMask)
	schema.StridedSliceOptionsAddEndMask(fb, o.EndMask)
	schema.StridedSliceOptionsAddEllipsisMask(fb, o.EllipsisMask)
	schema.StridedSliceOptionsAddNewAxisMask(fb, o.NewAxisMask)
	schema.StridedSliceOptionsAddShrinkAxisMask(fb, o.ShrinkAxisMask)
	schema.StridedSliceOptionsAddOffset(fb, o.Offset)
	return schema.BuiltinOptionsStridedSliceOptions, schema.StridedSliceOptionsEnd(fb)
}

// ArgMax is ARG_MAX: input and constant int32 axis, one output of
// OutputType (Int32 or Int64; the zero value Float32 is written as Int64,
// TFLite's default).
type ArgMax struct{ OutputType DType }

// Opcode returns OpArgMax.
func (ArgMax) Opcode() Opcode { return OpArgMax }

func (o ArgMax) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	t := o.OutputType
	if t == Float32 {
		t = Int64
	}
	schema.ArgMaxOptionsStart(fb)
	schema.ArgMaxOptionsAddOutputType(fb, schema.TensorType(t))
	return schema.BuiltinOptionsArgMaxOptions, schema.ArgMaxOptionsEnd(fb)
}

// ResizeBilinear is RESIZE_BILINEAR: input [N,H,W,C] and constant int32
// size [2], one output.
type ResizeBilinear struct{ AlignCorners, HalfPixelCenters bool }

// Opcode returns OpResizeBilinear.
func (ResizeBilinear) Opcode() Opcode { return OpResizeBilinear }

func (o ResizeBilinear) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.ResizeBilinearOptionsStart(fb)
	schema.ResizeBilinearOptionsAddAlignCorners(fb, o.AlignCorners)
	schema.ResizeBilinearOptionsAddHalfPixelCenters(fb, o.HalfPixelCenters)
	return schema.BuiltinOptionsResizeBilinearOptions, schema.ResizeBilinearOptionsEnd(fb)
}

// ResizeNearestNeighbor is RESIZE_NEAREST_NEIGHBOR: input [N,H,W,C] and
// constant int32 size [2], one output.
type ResizeNearestNeighbor struct{ AlignCorners, HalfPixelCenters bool }

// Opcode returns OpResizeNearestNeighbor.
func (ResizeNearestNeighbor) Opcode() Opcode { return OpResizeNearestNeighbor }

func (o ResizeNearestNeighbor) encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	schema.ResizeNearestNeighborOptionsStart(fb)
	schema.ResizeNearestNeighborOptionsAddAlignCorners(fb, o.AlignCorners)
	schema.ResizeNearestNeighborOptionsAddHalfPixelCenters(fb, o.HalfPixelCenters)
	return schema.BuiltinOptionsResizeNearestNeighborOptions, schema.ResizeNearestNeighborOptionsEnd(fb)
}
