package kernel

// The row kernels' per-channel parameters. The kernels
// (depthwise_row_amd64.s) requantize their VPMADDWD sums where they land
// instead of permuting them back to channel order: in a 16-channel
// block, lanes 0-7 hold channels 0-3 and 8-11, lanes 8-15 channels 4-7
// and 12-15, and the requantization blocks (rqBlock for RQ16,
// rqShortBlock for the short RQX16) are laid out in that lane order. A
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

// newDWFastBlocks builds the short requantization's blocks for the
// channels of rq in the row kernels' lane order (see newRQShortBlocks).
func newDWFastBlocks(rq []requantizer, outOff int32) []rqShortBlock {
	return newRQShortBlocks(len(rq), forRowLanes, rq, outOff)
}

// setDWRowBias writes bias (per channel) into the bias lanes of blocks
// built by newDWRowBlocks and, when not nil, newDWFastBlocks.
func setDWRowBias(blocks []rqBlock, fast []rqShortBlock, bias []int32) {
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
	w3         []int16        // packDepthwise3x3
	blocks     []rqBlock      // newDWRowBlocks
	fastBlocks []rqShortBlock // newDWFastBlocks; nil when the multipliers rule it out
	fast       []rqShortBlock // fastBlocks when the sums fit it (setBias), else nil
	absW       []int32        // Σ_taps |w| per channel, for rqShortSumsFit
}

// newDWRowParams builds the parameters for offset weights w ([9][C]) and
// requantizers rq (C of them) but the packed weights, bias lanes zero
// until setBias.
func newDWRowParams(w []int32, rq []requantizer, outOff int32) *dwRowParams {
	C := len(rq)
	p := &dwRowParams{blocks: newDWRowBlocks(rq)}
	if rqShortUsable(rq) {
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
	if p.fastBlocks != nil && rqShortSumsFit(bias, p.absW, xMax) {
		p.fast = p.fastBlocks
	}
}
