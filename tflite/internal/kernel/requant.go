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
			if j%2 == 1 {
				b.multOdd[j-1] = r.multiplier
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
