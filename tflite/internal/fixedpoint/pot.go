package fixedpoint

import "math"

// SaturatingRoundingMultiplyByPOT returns x × 2^exponent like gemmlowp's
// function of the same name: a left shift that saturates to the int32 range
// for positive exponents, a rounding right shift (ties away from zero) for
// negative ones.
func SaturatingRoundingMultiplyByPOT(x int32, exponent int) int32 {
	switch {
	case exponent == 0:
		return x
	case exponent > 0:
		// gemmlowp compares against ±threshold rather than checking the
		// shifted value, so -2^(31-exponent) saturates too (to the same
		// MinInt32 the shift would give).
		threshold := int32(1)<<(31-exponent) - 1
		if x > threshold {
			return math.MaxInt32
		}
		if x < -threshold {
			return math.MinInt32
		}
		return x << exponent
	default:
		return RoundingDivideByPOT(x, -exponent)
	}
}

// Rescale converts the raw value of a fixed-point number with srcIntegerBits
// integer bits to one with dstIntegerBits, as gemmlowp's Rescale does
// (saturating when gaining fractional bits, rounding when losing them).
func Rescale(x int32, srcIntegerBits, dstIntegerBits int) int32 {
	return SaturatingRoundingMultiplyByPOT(x, srcIntegerBits-dstIntegerBits)
}

// RoundingHalfSum returns (a+b)/2 rounded to nearest with ties away from
// zero, computed without overflow (gemmlowp's RoundingHalfSum for int32).
func RoundingHalfSum(a, b int32) int32 {
	sum := int64(a) + int64(b)
	sign := int64(1)
	if sum < 0 {
		sign = -1
	}
	return int32((sum + sign) / 2)
}

// One returns the raw value of 1.0 in a signed 32-bit fixed-point format
// with integerBits integer bits; with no integer bits 1.0 is not
// representable and gemmlowp uses the largest value instead.
func One(integerBits int) int32 {
	if integerBits == 0 {
		return math.MaxInt32
	}
	return int32(1) << (31 - integerBits)
}
