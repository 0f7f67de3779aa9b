package kernel

import "slices"

// The row path of depthwiseFast: every pixel of a 3×3, depth multiplier
// 1 convolution with C a multiple of 8 goes through a row kernel
// (dwRow3x3SIMD), which sums, requantizes and stores a run of pixels of
// one output row in one call; its parameters are in
// depthwise_row_blocks.go.
//
// Pixels whose every tap lies inside the input are read in place, a run
// of them per output row. The others read a patch: a copy of the input
// they read in which the padding holds the input zero point. Output rows
// with padding above or below copy their input rows whole; in the rows
// between, only the edge columns have padding taps, and each such column
// of up to dwPatchRows rows copies its input window (three columns wide)
// and runs as one call down the column. (Those rows used to copy whole
// rows too: 2% of mobilenet_v2 went to the copies.) A patch is exact:
// TFLite skips a padding tap, and a tap holding the zero point adds
// w·(zp + inputOffset) = w·0, so the sum, with the inputOffset·Σ_taps w
// folded into the bias like every interior pixel's, is the same int32.

// prepareRows sets up the row path: requantization blocks and, when some
// row has padding taps, the per-worker patch (borrowed from the
// interpreter's Scratch), sized for dwPatchRows whole output rows. With 8 channels and
// stride 1 a pixel's taps lie 8 bytes before the next pixel's, so the
// 16-channel kernel runs two pixels at once (pairs) on the weights and
// parameters repeated twice.
func (o *depthwiseFast[T]) prepareRows() {
	g := &o.g
	o.row3x3 = true
	o.rows = newDWRowParams(o.consts.w, o.rq, o.q.outputOffset)
	o.rows.w3 = o.consts.w3
	o.rc.setShifts(o.rows.blocks)
	if g.outC == 8 && g.strideW == 1 {
		w := make([]int32, 9*16)
		for i := range w {
			w[i] = o.consts.w[i/16*8+i%8]
		}
		o.pairs = newDWRowParams(w, slices.Repeat(o.rq, 2), o.q.outputOffset)
		o.pairs.w3 = packDepthwise3x3(w, 16)
		o.pairBias = make([]int32, 16)
	}
	o.colLo, o.colHi = interiorColumns(g)
	fullRows := convTapRange{0, g.filterH}
	if o.colLo == 0 && o.colHi == g.outW && !slices.ContainsFunc(g.rowTaps, func(t convTapRange) bool { return t != fullRows }) {
		return // no padding taps (an explicitly padded input): no patch
	}
	row := o.patchWidth() * g.inC
	o.patchStride = o.patchRowsIn(dwPatchRows) * row
	o.patch = borrow[T](o.n, o.pool.Workers()*o.patchStride)
	o.zpRow = make([]T, row)
	for i := range o.zpRow {
		o.zpRow[i] = T(-o.q.inputOffset)
	}
}

// dwPatchRows is the most output rows one patch serves: consecutive
// rows share most of their input rows, so a patch of several rows copies
// each input row about once instead of filterH times.
const dwPatchRows = 8

// patchRowsIn is the input rows (padding included) n consecutive output
// rows read.
func (o *depthwiseFast[T]) patchRowsIn(n int) int {
	g := &o.g
	return (n-1)*g.strideH + (g.filterH-1)*g.dilationH + 1
}

// patchWidth is the input columns (padding included) an output row
// reads.
func (o *depthwiseFast[T]) patchWidth() int {
	g := &o.g
	return (g.outW-1)*g.strideW + (g.filterW-1)*g.dilationW + 1
}

// interiorColumns returns the output columns [lo, hi) whose taps lie
// inside the input horizontally (lo = hi when there are none).
func interiorColumns(g *convGeometry) (lo, hi int) {
	full := convTapRange{0, g.filterW}
	for lo < g.outW && g.colTaps[lo] != full {
		lo++
	}
	hi = lo
	for hi < g.outW && g.colTaps[hi] == full {
		hi++
	}
	return lo, hi
}

// runRows computes output rows [lo, hi) (row = batch·outH + oy) on
// worker w, in groups of up to dwPatchRows consecutive rows of one batch
// that all have padding taps above or below, or all none.
func (o *depthwiseFast[T]) runRows(w, lo, hi int) {
	g := &o.g
	patch := o.patch.get()[w*o.patchStride : (w+1)*o.patchStride]
	fullRows := convTapRange{0, g.filterH}
	for r := lo; r < hi; {
		b, oy := r/g.outH, r%g.outH
		inside := g.rowTaps[oy] == fullRows
		n := 1
		for n < dwPatchRows && r+n < hi && oy+n < g.outH && (g.rowTaps[oy+n] == fullRows) == inside {
			n++
		}
		if inside {
			o.insideRows(patch, b, oy, n)
		} else {
			o.patchRows(patch, b, oy, n)
		}
		r += n
	}
}

// insideRows computes output rows oy..oy+n−1 of batch b, whose taps lie
// inside the input vertically: the interior columns in place, row by
// row, and each edge column from a patch of its input window, down the
// column in one call.
func (o *depthwiseFast[T]) insideRows(patch []T, b, oy, n int) {
	g := &o.g
	C := g.outC
	if o.colHi > o.colLo {
		for j := 0; j < n; j++ {
			r := b*g.outH + oy + j
			outRow := o.outData[r*g.outW*C : (r+1)*g.outW*C]
			p := ((b*g.inH+(oy+j)*g.strideH-g.padH)*g.inW + o.colLo*g.strideW - g.padW) * C
			o.rowKernel(o.inData, p, g.dilationH*g.inW*C, outRow[o.colLo*C:o.colHi*C])
		}
	}
	for ox := 0; ox < o.colLo; ox++ {
		o.edgeColumn(patch, b, oy, n, ox)
	}
	for ox := max(o.colHi, o.colLo); ox < g.outW; ox++ {
		o.edgeColumn(patch, b, oy, n, ox)
	}
}

// edgeColumn computes output column ox of rows oy..oy+n−1 of batch b
// from a copy of the input window the column reads, padding set to the
// zero point: patchRowsIn(n) rows of the window's columns.
func (o *depthwiseFast[T]) edgeColumn(patch []T, b, oy, n, ox int) {
	g := &o.g
	C := g.inC
	ww := (g.filterW-1)*g.dilationW + 1 // window width in pixels
	ix0 := ox*g.strideW - g.padW
	iy0 := oy*g.strideH - g.padH
	for k := 0; k < o.patchRowsIn(n); k++ {
		iy := iy0 + k
		for c := 0; c < ww; c++ {
			dst := patch[(k*ww+c)*C : (k*ww+c+1)*C]
			if ix := ix0 + c; ix >= 0 && ix < g.inW && iy >= 0 && iy < g.inH {
				src := ((b*g.inH+iy)*g.inW + ix) * C
				copy(dst, o.inData[src:src+C])
			} else {
				copy(dst, o.zpRow)
			}
		}
	}
	r := b*g.outH + oy
	out := o.outData[(r*g.outW+ox)*C:]
	dwRow3x3SIMD(patch, 0, g.dilationW*C, g.dilationH*ww*C, g.strideH*ww*C, C, g.outW*C, o.rows.w3, o.rows.blocks, o.rows.fast, &o.rc, out, n)
}

// rowKernel runs the row kernel over the pixels of outRow, the first
// one's top-left tap at in[p:], tap rows dy elements apart.
func (o *depthwiseFast[T]) rowKernel(in []T, p, dy int, outRow []T) {
	g := &o.g
	C := g.outC
	n := len(outRow) / C
	dx := g.dilationW * C
	if o.pairs != nil && n >= 2 {
		k := n / 2
		dwRow3x3SIMD(in, p, dx, dy, 2*C, 2*C, 2*C, o.pairs.w3, o.pairs.blocks, o.pairs.fast, &o.rc, outRow[:2*k*C], k)
		if n%2 == 0 {
			return
		}
		p, outRow, n = p+2*k*C, outRow[2*k*C:], 1 // stride 1: the last pixel's taps
	}
	dwRow3x3SIMD(in, p, dx, dy, g.strideW*C, C, C, o.rows.w3, o.rows.blocks, o.rows.fast, &o.rc, outRow, n)
}

// patchRows computes output rows oy..oy+n−1 of batch b from a copy of
// the input rows they read, one after the other, with every element
// outside the input set to the zero point.
func (o *depthwiseFast[T]) patchRows(patch []T, b, oy, n int) {
	g := &o.g
	C := g.inC
	wp := o.patchWidth()
	ix0 := -g.padW
	// Columns [in0, in1) of the patch lie inside the input.
	in0 := min(max(-ix0, 0), wp)
	in1 := max(min(g.inW-ix0, wp), in0)
	iy0 := oy*g.strideH - g.padH
	for k := 0; k < o.patchRowsIn(n); k++ {
		row := patch[k*wp*C : (k+1)*wp*C]
		iy := iy0 + k
		if iy < 0 || iy >= g.inH {
			copy(row, o.zpRow)
			continue
		}
		copy(row[:in0*C], o.zpRow)
		src := ((b*g.inH+iy)*g.inW + ix0) * C
		copy(row[in0*C:in1*C], o.inData[src+in0*C:src+in1*C])
		copy(row[in1*C:], o.zpRow)
	}
	for j := 0; j < n; j++ {
		r := b*g.outH + oy + j
		o.rowKernel(patch, j*g.strideH*wp*C, g.dilationH*wp*C, o.outData[r*g.outW*C:(r+1)*g.outW*C])
	}
}

// setRowBias refreshes the row path's bias lanes from biasAll and picks
// the short requantization when the sums allow it.
func (o *depthwiseFast[T]) setRowBias() {
	xMax := int64(128)
	if isUnsigned[T]() {
		xMax = 255
	}
	o.rows.setBias(o.biasAll, xMax)
	if o.pairs != nil {
		copy(o.pairBias, o.biasAll)
		copy(o.pairBias[8:], o.biasAll)
		o.pairs.setBias(o.pairBias, xMax)
	}
}

// dwRowUse is which parts of the row path an op runs, for tests.
type dwRowUse struct {
	row   bool // the row kernels at all
	fast  bool // the short requantization
	left  bool // the general requantization's left-shift loop
	half  bool // a half (8-channel) block
	pairs bool // two 8-channel pixels per 16-lane block
}

// rowKernelUse reports which parts of the row path the op runs.
func (o *depthwiseFast[T]) rowKernelUse() dwRowUse {
	if !o.row3x3 {
		return dwRowUse{}
	}
	return dwRowUse{row: true, fast: o.rows.fast != nil, left: o.rows.fast == nil && o.rc.noLeft == 0, half: o.g.outC%16 != 0, pairs: o.pairs != nil}
}
