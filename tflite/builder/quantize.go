package builder

import "math"

// QuantizeInt8 maps real values to int8 with the given scale and zero
// point, rounding half away from zero and saturating, as TFLite's
// converter quantizes weights.
func QuantizeInt8(v []float32, scale float32, zeroPoint int) []int8 {
	out := make([]int8, len(v))
	for i, x := range v {
		out[i] = int8(quantize(x, scale, zeroPoint, math.MinInt8, math.MaxInt8))
	}
	return out
}

// QuantizeUint8 maps real values to uint8 with the given scale and zero
// point, rounding half away from zero and saturating.
func QuantizeUint8(v []float32, scale float32, zeroPoint int) []uint8 {
	out := make([]uint8, len(v))
	for i, x := range v {
		out[i] = uint8(quantize(x, scale, zeroPoint, 0, math.MaxUint8))
	}
	return out
}

// QuantizeInt32 maps real values (biases) to int32 with zero point 0.
func QuantizeInt32(v []float32, scale float32) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(quantize(x, scale, 0, math.MinInt32, math.MaxInt32))
	}
	return out
}

func quantize(x, scale float32, zeroPoint int, lo, hi int64) int64 {
	q := int64(math.Round(float64(x)/float64(scale))) + int64(zeroPoint)
	return min(max(q, lo), hi)
}

// SymmetricScale returns the int8 scale that maps the largest magnitude of
// v to 127 (the scale of symmetric int8 weights); 1 when v is all zeros.
func SymmetricScale(v []float32) float32 {
	var m float32
	for _, x := range v {
		m = max(m, float32(math.Abs(float64(x))))
	}
	if m == 0 {
		return 1
	}
	return m / 127
}
