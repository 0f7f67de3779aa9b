package kernel

import "unsafe"

// requantizer is fixedpoint.MultiplyByQuantizedMultiplier unrolled for one
// output channel, with the shift split ahead of time, small enough for the
// compiler to inline into the kernels' store loops. The result is
// identical for every int32 input (see requant_test.go).
type requantizer struct {
	multiplier int32
	left       uint8 // left shift before the high multiply
	right      uint8 // rounding right shift after it
}

// newRequantizer splits TFLite's signed shift.
func newRequantizer(multiplier int32, shift int) requantizer {
	r := requantizer{multiplier: multiplier}
	if shift > 0 {
		r.left = uint8(shift)
	} else {
		r.right = uint8(-shift)
	}
	return r
}

// apply returns RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
// x·2^left, multiplier), right). The doubling high multiply saturates
// only for MinInt32·MinInt32, which a multiplier from QuantizeMultiplier
// (≥ 0) never is, so that case needs no test here.
func (r requantizer) apply(x int32) int32 {
	ab := int64(x<<r.left) * int64(r.multiplier)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - 1<<30
	}
	v := int32((ab + nudge) / (1 << 31))
	mask := int32(1)<<r.right - 1
	threshold := mask>>1 + int32(uint32(v)>>31)
	out := v >> r.right
	if v&mask > threshold {
		out++
	}
	return out
}

// requantizers builds one requantizer per channel of q.
func requantizers(q *convQuant) []requantizer {
	rs := make([]requantizer, len(q.multiplier))
	for c := range rs {
		rs[c] = newRequantizer(q.multiplier[c], q.shift[c])
	}
	return rs
}

// rqBlock holds one 16-channel block's requantization parameters in the
// lane layout requant16 loads (see requant_amd64.s).
type rqBlock struct {
	bias, left, multiplier, right, mask, half [16]int32
	// multOdd holds lane 2i+1's multiplier at 2i, where VPMULDQ reads it.
	multOdd [16]int32
	// The short form's parameters (rqConsts.short, requantizer.short):
	// m2 = 2·multiplier − 2³² as int32 (lane 2i+1's also at 2i of m2Odd),
	// k2 = 2·nudge(right) as 64 bits for the even and odd lanes, rmask =
	// −1 where right > 0.
	m2, m2Odd     [16]int32
	k2Even, k2Odd [8]int64
	rmask         [16]int32
}

// rqBlockSize is sizeof(rqBlock), the stride of consecutive blocks.
const rqBlockSize = uintptr(unsafe.Sizeof(rqBlock{}))

// rqConsts are the parameters shared by every channel.
type rqConsts struct {
	outOff, actMin, actMax int32
	unsigned               int32 // 1 for uint8 outputs
	// noLeft is 1 when no channel shifts left (see setShifts): the
	// requantizer then skips that step. 0, the zero value, is always
	// correct.
	noLeft int32
	// short is 1 when every channel may take the short form (see
	// setShort); 0 is always correct.
	short int32
}

// shortLimit bounds |x·2^left| for the short form: below it the form's
// intermediate t = (x·multiplier + nudge) >> 31 fits an int32 for any
// right shift up to 31.
const shortLimit = 1 << 30

// setShort enables the short form when every channel's multiplier is
// normalized (QuantizeMultiplier's [2³⁰, 2³¹)) and maxAbs[c], a bound on
// |acc + bias| of channel c, keeps x·2^left under shortLimit. A nil
// maxAbs (no bound known, e.g. a bias computed at run time) disables it.
func (c *rqConsts) setShort(rq []requantizer, maxAbs []int64) {
	c.short = 0
	if maxAbs == nil {
		return
	}
	for i, r := range rq {
		if r.multiplier < 1<<30 || maxAbs[i]<<r.left >= shortLimit {
			return
		}
	}
	c.short = 1
}

// short is apply by the short form, exact for |x·2^left| < shortLimit and
// a multiplier in [2³⁰, 2³¹). RoundingDivideByPOT(SRDHM(x', M), r) with
// x' = x·2^left rounds twice; nested floors merge them into one:
//
//	SRDHM(x', M) = ⌊(x'·M + 2³⁰) / 2³¹⌋            (TFLite's nudge-and-truncate, both signs)
//	result       = ⌊(SRDHM + 2^(r−1) − [s < 0]) / 2^r⌋  (r > 0; the tie goes away from zero)
//	             = ⌊(x'·M + K − [x' < 0]·2³¹) / 2^(31+r)⌋,  K = 2³⁰ + 2^(30+r)
//
// (s < 0 exactly when x' < 0 for r > 0, as s = 0 covers −2³⁰ ≤ x'·M < 0
// and rounds the same both ways; K = 2³⁰ and no sign term for r = 0).
// SIMD then needs one 64-bit product per lane and one shift: with M2 =
// 2M − 2³² (an int32, as M ≥ 2³⁰), 2·(x'·M + K) = x'·M2 + 2K + x'·2³², so
//
//	t = hi32(x'·M2 + 2K) + x' − [x' < 0 ∧ r > 0],  result = t >> r
//
// where every step is exact modulo 2³² and t itself fits an int32.
func (r requantizer) short(x int32) int32 {
	x <<= r.left
	m2 := int32(uint32(r.multiplier) * 2)
	k2 := int64(1) << 31
	if r.right > 0 {
		k2 += int64(1) << (31 + r.right)
	}
	t := int32(uint64(int64(x)*int64(m2)+k2)>>32) + x
	if r.right > 0 && x < 0 {
		t--
	}
	return t >> r.right
}

// setShifts records whether any channel of blocks shifts left, so the
// requantizer can skip that step when none does (multipliers below one,
// nearly every convolution).
func (c *rqConsts) setShifts(blocks []rqBlock) {
	c.noLeft = 1
	for i := range blocks {
		for _, l := range blocks[i].left {
			if l != 0 {
				c.noLeft = 0
				return
			}
		}
	}
}

// newRQBlocks builds the blocks for every group of 16 channels.
//
// A last, partial block is padded with zero parameters; its extra lanes
// produce values that callers drop.
func newRQBlocks(rq []requantizer, bias []int32) []rqBlock {
	blocks := make([]rqBlock, (len(rq)+15)/16)
	for i := range blocks {
		b := &blocks[i]
		for j := 0; j < 16 && i*16+j < len(rq); j++ {
			r := rq[i*16+j]
			b.left[j], b.multiplier[j], b.right[j] = int32(r.left), r.multiplier, int32(r.right)
			b.mask[j] = int32(1)<<r.right - 1
			b.half[j] = b.mask[j] >> 1
			b.m2[j] = int32(uint32(r.multiplier) * 2)
			k2 := int64(1) << 31
			if r.right > 0 {
				k2 += int64(1) << (31 + r.right)
				b.rmask[j] = -1
			}
			if j%2 == 1 {
				b.multOdd[j-1] = r.multiplier
				b.m2Odd[j-1] = b.m2[j]
				b.k2Odd[j/2] = k2
			} else {
				b.k2Even[j/2] = k2
			}
			if bias != nil {
				b.bias[j] = bias[i*16+j]
			}
		}
	}
	return blocks
}

// isUnsigned reports whether T is uint8.
func isUnsigned[T quantElem]() bool {
	var zero T
	return zero-1 > 0
}
