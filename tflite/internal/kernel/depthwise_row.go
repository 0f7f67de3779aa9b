package kernel

// The row path of depthwiseFast: every pixel of a 3×3, depth multiplier
// 1 convolution with C a multiple of 8 goes through a row kernel
// (dwRow3x3SIMD), which sums, requantizes and stores a run of pixels of
// one output row in one call.
//
// Rows whose every tap lies inside the input are read in place. A row
// with padding taps reads a patch instead: a copy of the input rows it
// reads in which the padding holds the input zero point. (Copying the
// whole row costs less than calling the kernel three times per row for
// the interior and the two edges, even 64 pixels wide.) That is exact: TFLite skips a padding tap, and a tap holding the zero point
// adds w·(zp + inputOffset) = w·0, so the sum, with the
// inputOffset·Σ_taps w folded into the bias like every interior pixel's,
// is the same int32.
//
// The row kernels (depthwise_row_amd64.s) requantize their
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

// allColumnsInterior reports whether every output column's taps lie
// inside the input horizontally.
func allColumnsInterior(g *convGeometry) bool {
	for _, c := range g.colTaps {
		if c.lo != 0 || c.hi != g.filterW {
			return false
		}
	}
	return true
}

// prepareRows sets up the row path: requantization blocks and the
// per-worker patch, sized for a whole output row.
func (o *depthwiseFast[T]) prepareRows() {
	g := &o.g
	o.row3x3 = true
	o.rowBlocks = newDWRowBlocks(o.rq)
	o.rc.setShifts(o.rowBlocks)
	o.colsInterior = allColumnsInterior(g)
	row := o.patchWidth() * g.inC
	o.patchStride = g.filterH * row
	o.patch = make([]T, o.pool.Workers()*o.patchStride)
	o.zpRow = make([]T, row)
	for i := range o.zpRow {
		o.zpRow[i] = T(-o.q.inputOffset)
	}
}

// patchWidth is the input columns (padding included) an output row
// reads.
func (o *depthwiseFast[T]) patchWidth() int {
	g := &o.g
	return (g.outW-1)*g.strideW + (g.filterW-1)*g.dilationW + 1
}

// runRows computes output rows [lo, hi) (row = batch·outH + oy) on
// worker w.
func (o *depthwiseFast[T]) runRows(w, lo, hi int) {
	g := &o.g
	C := g.outC
	patch := o.patch[w*o.patchStride : (w+1)*o.patchStride]
	fullRows := convTapRange{0, g.filterH}
	for r := lo; r < hi; r++ {
		b, oy := r/g.outH, r%g.outH
		outRow := o.outData[r*g.outW*C : (r+1)*g.outW*C]
		if g.rowTaps[oy] != fullRows || !o.colsInterior {
			o.patchRow(patch, outRow, b, oy)
			continue
		}
		p := ((b*g.inH+oy*g.strideH-g.padH)*g.inW - g.padW) * C
		dwRow3x3SIMD(o.inData, p, g.dilationW*C, g.dilationH*g.inW*C, g.strideW*C, C, o.consts.w3, o.rowBlocks, &o.rc, outRow, g.outW)
	}
}

// patchRow computes output row (b, oy) from a copy of the input rows it
// reads, one after the other, with every element outside the input set
// to the zero point.
func (o *depthwiseFast[T]) patchRow(patch, outRow []T, b, oy int) {
	g := &o.g
	C := g.inC
	wp := o.patchWidth()
	ix0 := -g.padW
	// Columns [in0, in1) of the patch lie inside the input.
	in0 := min(max(-ix0, 0), wp)
	in1 := max(min(g.inW-ix0, wp), in0)
	for fy := 0; fy < g.filterH; fy++ {
		row := patch[fy*wp*C : (fy+1)*wp*C]
		iy := oy*g.strideH - g.padH + fy*g.dilationH
		if iy < 0 || iy >= g.inH {
			copy(row, o.zpRow)
			continue
		}
		copy(row[:in0*C], o.zpRow)
		src := ((b*g.inH+iy)*g.inW + ix0) * C
		copy(row[in0*C:in1*C], o.inData[src+in0*C:src+in1*C])
		copy(row[in1*C:], o.zpRow)
	}
	dwRow3x3SIMD(patch, 0, g.dilationW*C, wp*C, g.strideW*C, C, o.consts.w3, o.rowBlocks, &o.rc, outRow, g.outW)
}

// rowKernelUse reports, for tests, whether the row kernel runs the
// pixels, whether it takes its left-shift loop and whether it has a half
// block.
func (o *depthwiseFast[T]) rowKernelUse() (row, left, half bool) {
	return o.row3x3, o.row3x3 && o.rc.noLeft == 0, o.row3x3 && o.g.outC%16 != 0
}
