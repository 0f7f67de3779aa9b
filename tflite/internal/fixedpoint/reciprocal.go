package fixedpoint

import "math/bits"

// OneOverOnePlusXForXIn01 returns 1/(1+x) for a Q0.31 x in [0, 1), as a Q0.31
// raw value, with gemmlowp's three Newton-Raphson iterations.
func OneOverOnePlusXForXIn01(a int32) int32 {
	const (
		c48Over17    = 1515870810  // 48/17 in Q2.29
		cNeg32Over17 = -1010580540 // -32/17 in Q2.29
		oneQ2        = 1 << 29     // 1.0 in Q2.29
	)
	halfDenominator := RoundingHalfSum(a, One(0))
	x := c48Over17 + SaturatingRoundingDoublingHighMul(halfDenominator, cNeg32Over17)
	for range 3 {
		halfDenominatorTimesX := SaturatingRoundingDoublingHighMul(halfDenominator, x)
		oneMinusHalfDenominatorTimesX := oneQ2 - halfDenominatorTimesX
		// Q2 × Q2 is Q4; bring it back to Q2.
		x += Rescale(SaturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2)
	}
	// x holds 2/(1+a) in Q2; read as Q1 it is 1/(1+a), then rescale to Q0.
	return Rescale(x, 1, 0)
}

// Reciprocal returns 1/x for a positive x given as the raw value of a
// fixed-point number with integerBits integer bits, as TFLite's
// GetReciprocal does: x is normalised to (1+f)·2^numBitsOverUnit with f in
// [0, 1), and scale is the Q0.31 raw value of 1/(1+f), so that
// 1/x = scale·2^-31·2^-numBitsOverUnit.
func Reciprocal(x int32, integerBits int) (scale int32, numBitsOverUnit int) {
	headroomPlusOne := bits.LeadingZeros32(uint32(x))
	numBitsOverUnit = integerBits - headroomPlusOne
	shiftedMinusOne := int32((uint32(x) << headroomPlusOne) - (1 << 31))
	return OneOverOnePlusXForXIn01(shiftedMinusOne), numBitsOverUnit
}
