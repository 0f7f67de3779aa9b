package kernel

import "math"

// The short requantization (RQX8 and RQX16 in requant_amd64.h): exact
// like requantizer.apply plus the output offset, in 11 instructions per 8
// lanes instead of 16, where no channel shifts left, every right shift
// is at most rqShortMaxShift and every sum stays below 2^30 in magnitude.
// TFLite rounds twice — SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT by k — and nested floor division merges both
// roundings and the offset into one 64-bit constant: with
// s = (x·m + 2^30) >> 31 and K = 2^30 + 2^(30+k) + outOff·2^(31+k),
//
//	q = (x·m + K) >> 31 = s + 2^(k−1) + outOff·2^k
//	RoundingDivideByPOT(s, k) + outOff = (q − [s < 0]) >> k
//
// (round half away from zero is ⌊(s + 2^(k−1) − [s<0]) / 2^k⌋), and s < 0
// exactly when q < 2^(k−1) + outOff·2^k, a per-lane threshold. The
// depthwise row kernels and the fused GEMM tiles use it; requant16 keeps
// the general sequence.

// rqShortBlock is one 16-lane block of the short requantization's
// parameters, in the layout RQX8 and RQX16 read; lanes follow the
// kernel's order (forLanes of newRQShortBlocks). Its size equals
// rqBlock's, so kernels step through either kind alike.
type rqShortBlock struct {
	bias, mult [16]int32
	multOdd    [16]int32 // lane 2i+1's multiplier at 2i, where VPMULDQ reads it
	// nudge is 2K − 2^32 per lane: lanes 0,2,4,6, then 1,3,5,7, then
	// the same for lanes 8-15.
	nudge         [16]int64
	thresh, shift [16]int32
}

// rqShortMaxShift is the largest right shift RQX8 takes: larger ones
// could overflow its int32 intermediate q.
const rqShortMaxShift = 21

// rqShortLimit bounds |acc + bias| for the short requantization, which
// doubles the sum in int32.
const rqShortLimit = 1 << 30

// rqShortUsable reports whether rq's channels fit the short
// requantization: no left shift, right shifts up to rqShortMaxShift. The
// sums must also stay below rqShortLimit (rqShortSumsFit).
func rqShortUsable(rq []requantizer) bool {
	for _, r := range rq {
		if r.left != 0 || r.right > rqShortMaxShift {
			return false
		}
	}
	return true
}

// rqShortSumsFit reports whether every sum bias[c] + Σ x·w can stay
// below rqShortLimit in magnitude: absW[c] is Σ |w| over the channel's
// weights and xMax the largest |x|. A nil bias counts as zeros.
func rqShortSumsFit[W int32 | int64](bias []int32, absW []W, xMax int64) bool {
	for c, a := range absW {
		var b int64
		if bias != nil {
			b = int64(bias[c])
		}
		if max(b, -b)+int64(a)*xMax >= rqShortLimit {
			return false
		}
	}
	return true
}

// forBlockLanes calls f(block, lane, channel) for channels 0..n−1 in
// order, 16 to a block: the lane order of the GEMM tiles.
func forBlockLanes(n int, f func(b, j, c int)) {
	for c := 0; c < n; c++ {
		f(c/16, c%16, c)
	}
}

// newRQShortBlocks builds the short requantization's blocks for the n
// channels of rq (rqShortUsable) and output offset outOff, placing
// channels in lanes as forLanes says; bias lanes stay zero for the
// caller to fill. With c0 = 2^(k−1) + outOff·2^k (outOff alone for
// k = 0), lane values are nudge = 2^31 + (c0 − 1)·2^32 and thresh =
// c0 − 2 (MinInt32 for k = 0); see RQX8.
func newRQShortBlocks(n int, forLanes func(n int, f func(b, j, c int)), rq []requantizer, outOff int32) []rqShortBlock {
	blocks := make([]rqShortBlock, (n+15)/16)
	forLanes(n, func(b, j, c int) {
		blk, r := &blocks[b], rq[c]
		k := int64(r.right)
		c0 := int64(outOff) << k
		blk.thresh[j] = math.MinInt32
		if k > 0 {
			c0 += 1 << (k - 1)
			blk.thresh[j] = int32(c0 - 2)
		}
		blk.mult[j], blk.shift[j] = r.multiplier, int32(k)
		if j%2 == 1 {
			blk.multOdd[j-1] = r.multiplier
		}
		blk.nudge[j/8*8+j%2*4+j%8/2] = 1<<31 + (c0-1)<<32
	})
	return blocks
}
