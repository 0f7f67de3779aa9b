package kernel

import (
	"runtime"
	"slices"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// depthwiseFast runs a quantized DEPTHWISE_CONV_2D channel-innermost:
// every filter tap multiplies one contiguous run of input channels by one
// contiguous run of weights (with a depth multiplier M, input channel ic
// feeds output channels ic·M..ic·M+M-1). Weights are widened to
// int32 with the filter offset added, once per Model.
//
// For a pixel whose taps all lie inside the input (almost every pixel),
// Σ w·(x + inputOffset) = Σ w·x + inputOffset·Σ w, and the second term is
// a per-channel constant folded into the bias ahead of time, so the inner
// loop is a plain multiply-add. Border pixels take the generic loop,
// which skips the padding taps exactly as TFLite does. On amd64 a 3×3
// filter with depth multiplier 1 and a multiple of 8 channels takes the
// row path instead (depthwise_row.go), borders included. Output rows are
// the parts split across the worker pool.
type depthwiseFast[T quantElem] struct {
	ref *depthwiseQuant[T] // the reference loop, for tests
	n   *Node
	g   convGeometry
	q   convQuant
	rq  []requantizer
	// simd selects requant16 for full blocks of 16 channels; the bias is
	// already in the sums, so blocks carry none.
	simd    bool
	blocks  []rqBlock
	rc      rqConsts
	in, out *tensor.Tensor
	bias    *tensor.Tensor
	consts  *depthwiseConsts
	pool    *parallel.Pool
	mult    int     // depth multiplier
	biasIn  []int32 // bias for border pixels
	biasAll []int32 // bias + inputOffset·Σ_taps w, for interior pixels
	acc     []int32 // per worker, accStride entries (nil on the row path)
	// accStride is outC rounded up to 16, so the SIMD requantizer can
	// read a whole block past the last channel; with rowStore it is a
	// whole output row (outW·outC) rounded up to 16.
	accStride int
	// rowStore requantizes an output row at once instead of pixel by
	// pixel: every channel has the same multiplier and shift (per-tensor
	// filters), so one block's parameters serve any run of 16 values.
	// Models with few channels (8 in a small MobileNet) spend most of
	// their depthwise time in per-pixel calls otherwise.
	rowStore bool
	// row3x3 runs every pixel through the row kernel (see
	// depthwise_row.go): one call per row instead of two per pixel, the
	// sums never leaving registers, biasAll in the bias lanes. rows are
	// the kernels' parameters; pairs, for 8 channels at stride 1, the
	// same twice over for two pixels per 16-lane block (pairBias its
	// bias). Pixels with padding taps read patch, a per-worker copy (patchStride
	// elements each, borrowed from the interpreter's Scratch, none when no
	// row needs one) with the padding filled in by the input zero point,
	// copied from zpRow. Output columns [colLo, colHi) have no padding
	// taps left or right.
	row3x3       bool
	colLo, colHi int
	rows, pairs  *dwRowParams
	pairBias     []int32
	patch        borrowed[T]
	patchStride  int
	zpRow        []T

	inData  []T
	outData []T
}

// depthwiseConsts is what the fast kernel derives from the filter.
type depthwiseConsts struct {
	w      []int32 // [tap][channel], filter + filterOffset
	tapSum []int32 // per channel Σ_taps w
	w3     []int16 // 3×3 filters: the pair-interleaved layout of packDepthwise3x3
}

// dw3x3BlockWeights is the int16 count per 16-channel block of w3: five
// tap pairs × two halves × sixteen values.
const dw3x3BlockWeights = 5 * 2 * 16

// dw3x3HalfWeights is the int16 count of w3's half block (8 channels).
const dw3x3HalfWeights = 5 * 2 * 8

// packDepthwise3x3 lays a 3×3 filter's offset weights w ([9][C]) out for
// the VPMADDWD kernels (depthwise_amd64.s, depthwise_row_amd64.s): per
// block of 16 channels, per tap pair (0,1) (2,3) (4,5) (6,7) (8,–), a
// "lo" half for channels 0-3 and 8-11 then a "hi" half for 4-7 and
// 12-15, each lane holding the pair's two weights. The missing tenth tap
// is 0. When 8 to 15 channels remain, a half block for the next 8
// follows (lo = channels 0-3, hi = 4-7) for the half-width row kernel;
// the per-pixel kernel reads only whole blocks.
func packDepthwise3x3(w []int32, C int) []int16 {
	blocks, half := C/16, C%16/8
	out := make([]int16, blocks*dw3x3BlockWeights+half*dw3x3HalfWeights)
	pack := func(dst []int16, c0, lanes int, channel func(lane, half int) int) {
		for pair := 0; pair < 5; pair++ {
			for h := 0; h < 2; h++ {
				for lane := 0; lane < lanes; lane++ {
					ch := c0 + channel(lane, h)
					for j := 0; j < 2; j++ {
						tap := 2*pair + j
						var v int32
						if tap < 9 {
							v = w[tap*C+ch]
						}
						dst[((pair*2+h)*lanes+lane)*2+j] = int16(v)
					}
				}
			}
		}
	}
	for b := 0; b < blocks; b++ {
		pack(out[b*dw3x3BlockWeights:], b*16, 8, func(lane, h int) int { return lane%4 + 8*(lane/4) + 4*h })
	}
	if half > 0 {
		pack(out[blocks*dw3x3BlockWeights:], blocks*16, 4, func(lane, h int) int { return lane + 4*h })
	}
	return out
}

// newDepthwiseFast prepares the fast kernel.
func newDepthwiseFast[T quantElem](ref *depthwiseQuant[T]) *depthwiseFast[T] {
	n, g := ref.n, ref.g
	if n.Validating || n.LowMemory {
		return nil // the fast kernel keeps a widened copy of the weights
	}
	c := constCached(n, "depthwise/int32", func() *depthwiseConsts {
		f := dataAs[T](ref.filter)
		dc := &depthwiseConsts{w: make([]int32, len(f)), tapSum: make([]int32, g.outC)}
		for i, v := range f {
			wv := int32(v) + ref.q.filterOffset
			dc.w[i] = wv
			dc.tapSum[i%g.outC] += wv
		}
		// Only the AVX2 kernel reads the pair-interleaved copy.
		if g.filterH == 3 && g.filterW == 3 && ref.mult == 1 && intSIMD() && runtime.GOARCH == "amd64" {
			dc.w3 = packDepthwise3x3(dc.w, g.outC)
		}
		return dc
	})
	o := &depthwiseFast[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, consts: c, pool: n.Pool, mult: ref.mult,
		rq: requantizers(&ref.q), biasIn: make([]int32, g.outC), biasAll: make([]int32, g.outC),
		accStride: (g.outC + 15) &^ 15,
	}
	o.simd = intSIMD()
	o.blocks = newRQBlocks(o.rq, nil)
	o.rowStore = o.simd && g.outC%16 != 0 && !slices.ContainsFunc(o.rq, func(r requantizer) bool { return r != o.rq[0] })
	if o.rowStore {
		o.accStride = (g.outW*g.outC + 15) &^ 15
		// One block whose sixteen lanes all hold the shared parameters.
		o.blocks = newRQBlocks(slices.Repeat(o.rq[:1], 16), nil)
	}
	o.rc = rqConsts{outOff: o.q.outputOffset, actMin: o.q.actMin, actMax: o.q.actMax}
	if isUnsigned[T]() {
		o.rc.unsigned = 1
	}
	o.rc.setShifts(o.blocks)
	if dwRowSIMD && o.simd && len(c.w3) > 0 && g.outC%8 == 0 {
		o.prepareRows()
	} else {
		o.acc = make([]int32, n.Pool.Workers()*o.accStride)
	}
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		o.setBias(ref.bias.Int32())
	} else {
		o.setBias(nil)
	}
	return o
}

func (o *depthwiseFast[T]) setBias(b []int32) {
	for c := range o.biasIn {
		var v int32
		if b != nil {
			v = b[c]
		}
		o.biasIn[c] = v
		o.biasAll[c] = v + o.q.inputOffset*o.consts.tapSum[c]
	}
	if o.row3x3 {
		o.setRowBias()
	}
}

// Eval checks the bindings, then runs the output rows on the pool.
func (o *depthwiseFast[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		o.setBias(o.bias.Int32())
	}
	o.inData, o.outData = dataAs[T](o.in), dataAs[T](o.out)
	o.pool.Run(o, o.g.batches*o.g.outH)
	return nil
}

// RunParts computes output rows [lo, hi) (row = batch·outH + oy).
func (o *depthwiseFast[T]) RunParts(w, lo, hi int) {
	g := &o.g
	C := g.outC
	if o.row3x3 {
		o.runRows(w, lo, hi)
		return
	}
	acc := o.acc[w*o.accStride : (w+1)*o.accStride]
	fullRows := convTapRange{0, g.filterH}
	for r := lo; r < hi; r++ {
		b, oy := r/g.outH, r%g.outH
		rows := g.rowTaps[oy]
		outRow := o.outData[r*g.outW*C : (r+1)*g.outW*C]
		for ox := 0; ox < g.outW; ox++ {
			cols := g.colTaps[ox]
			acc := acc
			if o.rowStore {
				acc = acc[ox*C:]
			}
			interior := rows == fullRows && cols.lo == 0 && cols.hi == g.filterW
			switch {
			case interior && g.filterH == 3 && g.filterW == 3 && o.mult == 1:
				o.interior3x3(acc, b, oy, ox)
			case interior:
				copy(acc, o.biasAll)
				o.accumulate(acc, b, oy, ox, rows, cols, 0)
			default:
				copy(acc, o.biasIn)
				o.accumulate(acc, b, oy, ox, rows, cols, o.q.inputOffset)
			}
			if !o.rowStore {
				o.store(outRow[ox*C:(ox+1)*C], acc)
			}
		}
		if o.rowStore {
			o.storeRow(outRow, acc)
		}
	}
}

// storeRow requantizes a whole output row with the one uniform block
// (rowStore: every channel's parameters are equal).
func (o *depthwiseFast[T]) storeRow(dst []T, acc []int32) {
	full := len(dst) / 16
	if full > 0 {
		requant16(&acc[0], full, &o.blocks[0], 0, (*byte)(unsafe.Pointer(&dst[0])), 16, &o.rc)
	}
	if c0 := full * 16; c0 < len(dst) {
		_ = acc[c0+15] // accStride pads the row to whole blocks
		var part [16]byte
		requant16(&acc[c0], 1, &o.blocks[0], 0, &part[0], 0, &o.rc)
		copyBytes(dst[c0:], part[:])
	}
}

// accumulate adds Σ w·(x + off) over the given taps of one output pixel.
func (o *depthwiseFast[T]) accumulate(acc []int32, b, oy, ox int, rows, cols convTapRange, off int32) {
	g := &o.g
	C := g.inC
	iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
	for fy := rows.lo; fy < rows.hi; fy++ {
		base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
		for fx := cols.lo; fx < cols.hi; fx++ {
			p := base + ix0 + fx*g.dilationW
			x := o.inData[p*C : (p+1)*C]
			t := fy*g.filterW + fx
			if o.mult != 1 {
				depthwiseTapMult(acc, x, o.consts.w[t*g.outC:(t+1)*g.outC], off, o.mult)
				continue
			}
			wt := o.consts.w[t*C : (t+1)*C]
			acc := acc[:len(x)]
			wt = wt[:len(x)]
			c0 := 0
			if o.simd {
				c0 = dwTapSIMD(acc, x, wt, off)
			}
			for c := c0; c < len(x); c++ {
				acc[c] += (int32(x[c]) + off) * wt[c]
			}
		}
	}
}

// interior3x3 is accumulate for a 3×3 filter with every tap inside the
// input: nine products per channel summed in a register.
func (o *depthwiseFast[T]) interior3x3(acc []int32, b, oy, ox int) {
	g := &o.g
	C := g.inC
	iy, ix := oy*g.strideH-g.padH, ox*g.strideW-g.padW
	dy, dx := g.dilationH*g.inW*C, g.dilationW*C
	p := ((b*g.inH+iy)*g.inW + ix) * C
	in := o.inData
	c0 := 0
	if o.simd {
		c0 = dw3x3SIMD(in, p, dx, dy, o.consts.w, o.consts.w3, C, o.biasAll, acc)
		if c0 == C {
			return
		}
	}
	x0, x1, x2 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	p += dy
	x3, x4, x5 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	p += dy
	x6, x7, x8 := in[p:p+C], in[p+dx:p+dx+C], in[p+2*dx:p+2*dx+C]
	w := o.consts.w
	w0, w1, w2, w3, w4, w5, w6, w7, w8 := w[0:C], w[C:2*C], w[2*C:3*C], w[3*C:4*C], w[4*C:5*C], w[5*C:6*C], w[6*C:7*C], w[7*C:8*C], w[8*C:9*C]
	bias := o.biasAll[:C]
	acc = acc[:C]
	for c := c0; c < C; c++ {
		acc[c] = bias[c] +
			int32(x0[c])*w0[c] + int32(x1[c])*w1[c] + int32(x2[c])*w2[c] +
			int32(x3[c])*w3[c] + int32(x4[c])*w4[c] + int32(x5[c])*w5[c] +
			int32(x6[c])*w6[c] + int32(x7[c])*w7[c] + int32(x8[c])*w8[c]
	}
}

// store requantizes one pixel's accumulators into its output channels.
func (o *depthwiseFast[T]) store(dst []T, acc []int32) {
	q := &o.q
	c0 := 0
	if o.simd {
		if full := len(dst) / 16; full > 0 {
			requant16(&acc[0], full, &o.blocks[0], rqBlockSize, (*byte)(unsafe.Pointer(&dst[0])), 16, &o.rc)
			c0 = full * 16
		}
		if c0 < len(dst) {
			// The partial last block reads the accumulator's padding lanes
			// (accStride) and lands in scratch first.
			_ = acc[c0+15]
			var part [16]byte
			requant16(&acc[c0], 1, &o.blocks[c0/16], 0, &part[0], 0, &o.rc)
			copyBytes(dst[c0:], part[:])
			return
		}
	}
	acc = acc[:len(dst)]
	rq := o.rq[:len(dst)]
	for c := c0; c < len(dst); c++ {
		v := rq[c].apply(acc[c])
		dst[c] = T(convClamp(v+q.outputOffset, q.actMin, q.actMax))
	}
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *depthwiseFast[T]) reference() Op { return o.ref }

// depthwiseTapMult adds one tap for depth multiplier mult: output channel
// ic·mult+m gets (x[ic] + off)·w[ic·mult+m].
func depthwiseTapMult[T quantElem](acc []int32, x []T, w []int32, off int32, mult int) {
	for ic, v := range x {
		xv := int32(v) + off
		a := acc[ic*mult : (ic+1)*mult]
		wt := w[ic*mult : (ic+1)*mult][:len(a)]
		for m := range a {
			a[m] += xv * wt[m]
		}
	}
}
