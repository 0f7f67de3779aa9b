package kernel

// The depthwise row kernels (depthwise_row_amd64.s) requantize their
// VPMADDWD sums where they land instead of permuting them back to
// channel order: in a 16-channel block, lanes 0-7 hold channels 0-3 and
// 8-11, lanes 8-15 channels 4-7 and 12-15. Their rqBlocks are laid out
// in that lane order. A trailing block of 8 channels (C%16 = 8) runs at
// half width with lanes 0-7 in channel order.

// dwRowChannel returns the block channel held in lane j (0-15) of a full
// row-kernel block.
func dwRowChannel(j int) int { return j%4 + 8*(j/4%2) + 4*(j/8) }

// newDWRowBlocks builds the row kernels' requantization blocks for the
// channels of rq (a multiple of 8), bias lanes zero until setDWRowBias.
func newDWRowBlocks(rq []requantizer) []rqBlock {
	full := len(rq) / 16
	lanes := make([]requantizer, len(rq))
	for b := 0; b < full; b++ {
		for j := 0; j < 16; j++ {
			lanes[b*16+j] = rq[b*16+dwRowChannel(j)]
		}
	}
	copy(lanes[full*16:], rq[full*16:])
	return newRQBlocks(lanes, nil)
}

// setDWRowBias writes bias (per channel) into the bias lanes of blocks
// built by newDWRowBlocks.
func setDWRowBias(blocks []rqBlock, bias []int32) {
	full := len(bias) / 16
	for b := 0; b < full; b++ {
		for j := 0; j < 16; j++ {
			blocks[b].bias[j] = bias[b*16+dwRowChannel(j)]
		}
	}
	if rest := bias[full*16:]; len(rest) > 0 {
		copy(blocks[full].bias[:], rest)
	}
}

// interiorColumns returns the output columns [lo, hi) whose taps all lie
// inside the input. A column's first tap grows with ox, so they are one
// contiguous run (empty when lo == hi).
func interiorColumns(g *convGeometry) (lo, hi int) {
	lo, hi = g.outW, g.outW
	for ox, c := range g.colTaps {
		if c.lo == 0 && c.hi == g.filterW {
			if lo == g.outW {
				lo = ox
			}
			hi = ox + 1
		}
	}
	return lo, hi
}

// rowKernelUse reports, for tests, whether the row kernel runs the
// interior pixels, whether it takes its left-shift loop and whether it has
// a half block.
func (o *depthwiseFast[T]) rowKernelUse() (row, left, half bool) {
	return o.row3x3, o.row3x3 && o.rc.noLeft == 0, o.row3x3 && o.g.outC%16 != 0
}
