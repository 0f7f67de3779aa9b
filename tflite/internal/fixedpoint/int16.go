package fixedpoint

import "math"

// SaturatingRoundingDoublingHighMul16 is the int16 form of
// SaturatingRoundingDoublingHighMul: the high 16 bits of 2·a·b, rounded,
// saturating MinInt16².
func SaturatingRoundingDoublingHighMul16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	ab := int32(a) * int32(b)
	nudge := int32(1 << 14)
	if ab < 0 {
		nudge = 1 - (1 << 14)
	}
	return int16((ab + nudge) / (1 << 15))
}

// SaturatingDoublingHighMul16 is TFLite's non-rounding variant: the high 16
// bits of 2·a·b truncated toward zero, saturating MinInt16². HardSwish uses
// it to cancel the bias of the rounding multiplies before it.
func SaturatingDoublingHighMul16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	return int16(int32(a) * int32(b) / (1 << 15))
}

// RoundingDivideByPOT16 divides x by 2^exponent rounding to nearest, ties
// away from zero; exponent must be in [0, 15].
func RoundingDivideByPOT16(x int16, exponent int) int16 {
	mask := int16(1)<<exponent - 1
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

// SaturatingLeftShift16 returns x·2^amount clamped to the int16 range.
func SaturatingLeftShift16(x int16, amount int) int16 {
	v := int32(x) << amount
	return int16(min(max(v, math.MinInt16), math.MaxInt16))
}

// DownScaleInt32ToInt16Multiplier rounds a non-negative Q31 multiplier to
// Q15, saturating at MaxInt16, as TFLite's function of the same name does.
func DownScaleInt32ToInt16Multiplier(m int32) int16 {
	const roundingOffset = 1 << 15
	if m >= math.MaxInt32-roundingOffset {
		return math.MaxInt16
	}
	return int16((m + roundingOffset) >> 16)
}
