package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// quantizedActivationRange returns the clamp bounds a fused activation
// imposes on a quantized output, as TFLite's
// CalculateActivationRangeQuantized does: the activation's real bounds
// quantized with the output's scale and zero point, intersected with the
// type's range.
func quantizedActivationRange(n *Node, act schema.ActivationFunctionType, out *tensor.Tensor) (lo, hi int32, err error) {
	switch out.Type {
	case tensor.Int8:
		lo, hi = math.MinInt8, math.MaxInt8
	case tensor.Uint8:
		lo, hi = 0, math.MaxUint8
	case tensor.Int16:
		lo, hi = math.MinInt16, math.MaxInt16
	default:
		return 0, 0, n.Unsupportedf("fused activation on %s output %q", out.Type, out.Name)
	}
	if !out.Quantized() {
		return 0, 0, n.Errorf("output %q has no quantization parameters", out.Name)
	}
	scale := out.Scale[0]
	zp := out.ZeroPointAt(0)
	quantize := func(f float32) int32 {
		return zp + int32(math.Round(float64(f/scale)))
	}
	switch act {
	case schema.ActivationFunctionTypeNONE:
	case schema.ActivationFunctionTypeRELU:
		lo = max(lo, quantize(0))
	case schema.ActivationFunctionTypeRELU6:
		lo = max(lo, quantize(0))
		hi = min(hi, quantize(6))
	case schema.ActivationFunctionTypeRELU_N1_TO_1:
		lo = max(lo, quantize(-1))
		hi = min(hi, quantize(1))
	default:
		return 0, 0, n.Unsupportedf("fused activation %s", schema.EnumNamesActivationFunctionType[act])
	}
	return lo, hi, nil
}

// floatActivationRange returns the clamp bounds of a fused activation on a
// float output.
func floatActivationRange(n *Node, act schema.ActivationFunctionType) (lo, hi float32, err error) {
	switch act {
	case schema.ActivationFunctionTypeNONE:
		return float32(math.Inf(-1)), float32(math.Inf(1)), nil
	case schema.ActivationFunctionTypeRELU:
		return 0, float32(math.Inf(1)), nil
	case schema.ActivationFunctionTypeRELU6:
		return 0, 6, nil
	case schema.ActivationFunctionTypeRELU_N1_TO_1:
		return -1, 1, nil
	}
	return 0, 0, n.Unsupportedf("fused activation %s", schema.EnumNamesActivationFunctionType[act])
}

// computePadding returns the padding before the first element along one
// spatial dimension, as TFLite's ComputePaddingHeightWidth does (SAME splits
// the total, putting the odd element after).
func computePadding(padding schema.Padding, stride, dilation, in, filter, out int) int {
	if padding != schema.PaddingSAME {
		return 0
	}
	effFilter := (filter-1)*dilation + 1
	total := (out-1)*stride + effFilter - in
	if total < 0 {
		return 0
	}
	return total / 2
}

// computeOutSize returns the output extent along one spatial dimension.
func computeOutSize(padding schema.Padding, in, filter, stride, dilation int) int {
	effFilter := (filter-1)*dilation + 1
	switch padding {
	case schema.PaddingSAME:
		return (in + stride - 1) / stride
	case schema.PaddingVALID:
		return (in + stride - effFilter) / stride
	}
	return 0
}
