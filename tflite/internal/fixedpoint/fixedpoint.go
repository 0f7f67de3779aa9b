// Package fixedpoint is the integer arithmetic TFLite's quantized kernels are
// defined by: Q31 multipliers, saturating rounding doubling high multiply and
// rounding shifts. Every kernel requantizes through these functions so that
// results equal TFLite's reference kernels bit for bit.
package fixedpoint

import "math"

// QuantizeMultiplier splits a positive real multiplier into a Q31 fixed-point
// multiplier and a power-of-two exponent so that
// real ≈ multiplier × 2^(shift−31). It mirrors TFLite's QuantizeMultiplier,
// including frexp and round-half-away-from-zero.
func QuantizeMultiplier(real float64) (multiplier int32, shift int) {
	if real == 0 {
		return 0, 0
	}
	q, exp := math.Frexp(real)
	qFixed := int64(math.Round(q * (1 << 31)))
	if qFixed == 1<<31 {
		qFixed /= 2
		exp++
	}
	if exp < -31 {
		exp = 0
		qFixed = 0
	}
	return int32(qFixed), exp
}

// SaturatingRoundingDoublingHighMul returns the high 32 bits of 2·a·b,
// rounded to nearest, saturating the single overflow case (MinInt32²).
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == b && a == math.MinInt32 {
		return math.MaxInt32
	}
	ab := int64(a) * int64(b)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - (1 << 30)
	}
	// Go's division truncates toward zero like C++'s, which TFLite relies on.
	return int32((ab + nudge) / (1 << 31))
}

// RoundingDivideByPOT divides x by 2^exponent, rounding to nearest with ties
// away from zero. exponent must be in [0, 31].
func RoundingDivideByPOT(x int32, exponent int) int32 {
	mask := int32(1)<<exponent - 1
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> exponent
	if remainder > threshold {
		r++
	}
	return r
}

// MultiplyByQuantizedMultiplier returns x × multiplier × 2^(shift−31) with
// TFLite's rounding: a left shift for positive exponents, then the doubling
// high multiply, then a rounding right shift for negative exponents.
func MultiplyByQuantizedMultiplier(x, multiplier int32, shift int) int32 {
	left, right := 0, 0
	if shift > 0 {
		left = shift
	} else {
		right = -shift
	}
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x*(int32(1)<<left), multiplier), right)
}
