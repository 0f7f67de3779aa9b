package kernel

import "math"

// The row kernels' per-channel parameters. The kernels
// (depthwise_row_amd64.s) requantize their VPMADDWD sums where they land
// instead of permuting them back to channel order: in a 16-channel
// block, lanes 0-7 hold channels 0-3 and 8-11, lanes 8-15 channels 4-7
// and 12-15, and the requantization blocks (rqBlock for RQ16,
// dwFastBlock for the short RQX16) are laid out in that lane order. A
// trailing block of 8 channels (C%16 = 8) runs at half width with lanes
// 0-7 in channel order. dwRowParams gathers one channel layout's weights
// and blocks.

// dwRowChannel returns the block channel held in lane j (0-15) of a full
// row-kernel block.
func dwRowChannel(j int) int { return j%4 + 8*(j/4%2) + 4*(j/8) }

// forRowLanes calls f(block, lane, channel) for every channel of a row
// kernel's blocks for C channels (a multiple of 8).
func forRowLanes(C int, f func(b, j, c int)) {
	full := C / 16
	for b := 0; b < full; b++ {
		for j := 0; j < 16; j++ {
			f(b, j, b*16+dwRowChannel(j))
		}
	}
	for j := 0; j < C-full*16; j++ {
		f(full, j, full*16+j)
	}
}

// newDWRowBlocks builds the row kernels' requantization blocks for the
// channels of rq (a multiple of 8), bias lanes zero until setDWRowBias.
func newDWRowBlocks(rq []requantizer) []rqBlock {
	lanes := make([]requantizer, len(rq))
	forRowLanes(len(rq), func(b, j, c int) { lanes[b*16+j] = rq[c] })
	return newRQBlocks(lanes, nil)
}

// dwFastBlock is one block of the row kernels' short requantization
// (RQX8 and RQX16 in requant_amd64.h), lanes ordered as in
// newDWRowBlocks; padded to rqBlock's size, so that the kernels step
// through either kind alike.
type dwFastBlock struct {
	bias, mult [16]int32
	multOdd    [16]int32 // lane 2i+1's multiplier at 2i, where VPMULDQ reads it
	// nudge is 2K − 2^32 per lane: lanes 0,2,4,6, then 1,3,5,7, then
	// the same for lanes 8-15.
	nudge         [16]int64
	thresh, shift [16]int32
	_             [rqBlockSize - 448]byte
}

// dwFastMaxShift is the largest right shift RQX8 takes: larger ones could
// overflow its int32 intermediate q.
const dwFastMaxShift = 21

// dwFastUsable reports whether rq's channels fit the short
// requantization: no left shift, right shifts up to dwFastMaxShift. The
// sums must also stay below 2^30 in magnitude (dwFastSumsFit).
func dwFastUsable(rq []requantizer) bool {
	for _, r := range rq {
		if r.left != 0 || r.right > dwFastMaxShift {
			return false
		}
	}
	return true
}

// dwFastSumsFit reports whether every sum bias[c] + Σ_taps x·w can stay
// below 2^30 in magnitude, RQX8's bound (it doubles the sum in int32):
// absW[c] is Σ_taps |w| and xMax the largest |x|.
func dwFastSumsFit(bias, absW []int32, xMax int64) bool {
	for c, b := range bias {
		if max(int64(b), -int64(b))+int64(absW[c])*xMax >= 1<<30 {
			return false
		}
	}
	return true
}

// newDWFastBlocks builds the short requantization's blocks for the
// channels of rq (dwFastUsable) and output offset outOff, bias lanes zero
// until setDWRowBias. With c0 = 2^(k−1) + outOff·2^k (outOff alone for
// k = 0), lane values are nudge = 2^31 + (c0 − 1)·2^32 and thresh = c0 −
// 2 (MinInt32 for k = 0); see RQX8.
func newDWFastBlocks(rq []requantizer, outOff int32) []dwFastBlock {
	blocks := make([]dwFastBlock, (len(rq)+15)/16)
	forRowLanes(len(rq), func(b, j, c int) {
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

// setDWRowBias writes bias (per channel) into the bias lanes of blocks
// built by newDWRowBlocks and, when not nil, newDWFastBlocks.
func setDWRowBias(blocks []rqBlock, fast []dwFastBlock, bias []int32) {
	forRowLanes(len(bias), func(b, j, c int) {
		blocks[b].bias[j] = bias[c]
		if fast != nil {
			fast[b].bias[j] = bias[c]
		}
	})
}

// dwRowParams are the row kernels' weights and requantization blocks for
// one layout of the channels.
type dwRowParams struct {
	w3         []int16       // packDepthwise3x3
	blocks     []rqBlock     // newDWRowBlocks
	fastBlocks []dwFastBlock // newDWFastBlocks; nil when the multipliers rule it out
	fast       []dwFastBlock // fastBlocks when the sums fit it (setBias), else nil
	absW       []int32       // Σ_taps |w| per channel, for dwFastSumsFit
}

// newDWRowParams builds the parameters for offset weights w ([9][C]) and
// requantizers rq (C of them) but the packed weights, bias lanes zero
// until setBias.
func newDWRowParams(w []int32, rq []requantizer, outOff int32) *dwRowParams {
	C := len(rq)
	p := &dwRowParams{blocks: newDWRowBlocks(rq)}
	if dwFastUsable(rq) {
		p.fastBlocks = newDWFastBlocks(rq, outOff)
		p.absW = make([]int32, C)
		for i, v := range w {
			p.absW[i%C] += max(v, -v)
		}
	}
	return p
}

// setBias writes bias (per channel) into the blocks and picks the short
// requantization when the sums allow it; xMax is the largest |input|.
func (p *dwRowParams) setBias(bias []int32, xMax int64) {
	setDWRowBias(p.blocks, p.fastBlocks, bias)
	p.fast = nil
	if p.fastBlocks != nil && dwFastSumsFit(bias, p.absW, xMax) {
		p.fast = p.fastBlocks
	}
}
