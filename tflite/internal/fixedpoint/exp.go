package fixedpoint

// expBarrel lists, for each power of two 2^e with e in [-2, 4], the Q0.31
// raw value of exp(-2^e). ExpOnNegativeValues multiplies them in for the
// bits of the input's integer part (and its top two fractional bits).
var expBarrel = [...]struct {
	exponent   int
	multiplier int32
}{
	{-2, 1672461947}, // exp(-1/4)
	{-1, 1302514674}, // exp(-1/2)
	{0, 790015084},   // exp(-1)
	{1, 290630308},   // exp(-2)
	{2, 39332535},    // exp(-4)
	{3, 720401},      // exp(-8)
	{4, 242},         // exp(-16)
}

// ExpOnNegativeValues returns exp(a) as a Q0.31 raw value for a ≤ 0 given as
// the raw value of a fixed-point number with integerBits integer bits
// (1 ≤ integerBits ≤ 30). It reproduces gemmlowp's exp_on_negative_values
// bit for bit: a polynomial on [-1/4, 0) and a barrel of exp(-2^k)
// multipliers for the rest.
func ExpOnNegativeValues(a int32, integerBits int) int32 {
	fractionalBits := 31 - integerBits
	oneQuarter := int32(1) << (fractionalBits - 2)
	mask := oneQuarter - 1
	aModQuarterMinusOneQuarter := (a & mask) - oneQuarter
	result := expOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(aModQuarterMinusOneQuarter, integerBits, 0))
	remainder := aModQuarterMinusOneQuarter - a
	for _, b := range expBarrel {
		if integerBits > b.exponent && remainder&(int32(1)<<(fractionalBits+b.exponent)) != 0 {
			result = SaturatingRoundingDoublingHighMul(result, b.multiplier)
		}
	}
	if integerBits > 5 {
		// Below -32 the result underflows Q0.31; the barrel alone would
		// not reach zero, so gemmlowp clamps explicitly.
		clamp := -(int32(1) << (36 - integerBits))
		if a < clamp {
			result = 0
		}
	}
	if a == 0 {
		result = One(0)
	}
	return result
}

// expOnIntervalBetweenNegativeOneQuarterAnd0Excl evaluates exp(a) for a Q0.31
// a in [-1/4, 0) with gemmlowp's fourth-order Taylor expansion around -1/8.
func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a int32) int32 {
	const (
		expMinusOneEighth = 1895147668 // exp(-1/8) in Q0.31
		oneThird          = 715827883  // 1/3 in Q0.31
		oneEighth         = 1 << 28    // 1/8 in Q0.31
	)
	x := a + oneEighth
	x2 := SaturatingRoundingDoublingHighMul(x, x)
	x3 := SaturatingRoundingDoublingHighMul(x2, x)
	x4 := SaturatingRoundingDoublingHighMul(x2, x2)
	x4Over4 := SaturatingRoundingMultiplyByPOT(x4, -2)
	poly := SaturatingRoundingMultiplyByPOT(SaturatingRoundingDoublingHighMul(x4Over4+x3, oneThird)+x2, -1)
	return expMinusOneEighth + SaturatingRoundingDoublingHighMul(expMinusOneEighth, x+poly)
}
