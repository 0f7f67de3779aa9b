package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// depthwiseFloatFast is DEPTHWISE_CONV_2D float32, channel-innermost (with
// a depth multiplier M, input channel ic feeds outputs ic·M..ic·M+M-1). Per
// channel it starts from the bias and adds the in-bounds taps' products in
// the reference loop's order (filter row, then column), so the result has
// the same bits; products are float32(x*w) so that no architecture fuses
// them into FMAs (see gemm_float.go). Output rows are split across the
// pool.
type depthwiseFloatFast struct {
	ref          *depthwiseFloat // the reference loop, for tests
	n            *Node
	g            convGeometry
	in, out      *tensor.Tensor
	filter, bias *tensor.Tensor
	pool         *parallel.Pool
	acc          []float32 // per worker, inC entries
	simd         bool      // accumulate taps with AVX2 or NEON
	mult         int       // depth multiplier
	// tapOffsets are the byte offsets of an interior pixel's taps from
	// its first tap, for dwRowF32 (rowSIMD only).
	tapOffsets     []int
	actMin, actMax float32
	// rowPixels > 0 selects the row kernel (stride 1 across, multiplier
	// 1): chunks of rowPixels output pixels of a row start from the bias
	// and take each tap over the whole chunk, whose inputs are contiguous.
	// wRow holds each tap's weights repeated rowPixels times, biasRow the
	// bias (or zeros) likewise; both are refilled by Eval.
	rowPixels     int
	wRow, biasRow []float32
	clamps        bool // a fused activation bounds the output
	// rowSIMD selects dwRowF32 (AVX2 or NEON, multiplier 1, 8 channels
	// or more) for the interior pixels of rows whose filter rows are all
	// inside the input: output columns [interiorLo, interiorHi). It
	// starts from zeroBias when the op has none.
	rowSIMD                bool
	interiorLo, interiorHi int
	zeroBias               []float32

	inData, outData, wData, biasData []float32
}

// dwRowChunkFloats is the size of a row-kernel chunk: a few KiB, so that
// the accumulators stay in L1 while every tap passes over them.
const dwRowChunkFloats = 512

// newDepthwiseFloatFast prepares the fast kernel.
func newDepthwiseFloatFast(ref *depthwiseFloat) *depthwiseFloatFast {
	n, g := ref.n, ref.g
	o := &depthwiseFloatFast{
		ref: ref, n: n, g: g, in: ref.in, out: ref.out, filter: ref.filter, bias: ref.bias,
		pool: n.Pool, simd: intSIMD(), mult: ref.mult, acc: make([]float32, n.Pool.Workers()*g.outC), actMin: ref.actMin, actMax: ref.actMax,
	}
	if dwRowFloatSIMD() && o.mult == 1 && g.outC >= 8 {
		o.rowSIMD = true
		for fy := 0; fy < g.filterH; fy++ {
			for fx := 0; fx < g.filterW; fx++ {
				o.tapOffsets = append(o.tapOffsets, (fy*g.dilationH*g.inW+fx*g.dilationW)*g.inC*4)
			}
		}
		o.interiorLo, o.interiorHi = g.outW, g.outW
		for ox := 0; ox < g.outW; ox++ {
			if cols := g.colTaps[ox]; cols.lo == 0 && cols.hi == g.filterW {
				o.interiorLo = min(o.interiorLo, ox)
				o.interiorHi = ox + 1
			}
		}
		o.interiorLo = min(o.interiorLo, o.interiorHi)
		o.zeroBias = make([]float32, g.outC)
	} else if o.mult == 1 && g.strideW == 1 {
		// One kernel call per tap and chunk instead of per tap and pixel:
		// with few channels the per-pixel calls cost more than the sums.
		o.rowPixels = max(1, dwRowChunkFloats/g.outC)
		o.wRow = make([]float32, g.filterH*g.filterW*o.rowPixels*g.outC)
		o.biasRow = make([]float32, o.rowPixels*g.outC)
		o.clamps = !math.IsInf(float64(o.actMin), -1) || !math.IsInf(float64(o.actMax), 1)
	}
	return o
}

// Eval checks the bindings, then runs the output rows on the pool.
func (o *depthwiseFloatFast) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.filter, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	o.inData, o.outData, o.wData = o.in.Float32(), o.out.Float32(), o.filter.Float32()
	o.biasData = nil
	if o.bias != nil {
		o.biasData = o.bias.Float32()
	}
	if o.rowPixels > 0 {
		// Refilled each time: the filter and bias may be computed.
		C := o.g.outC
		chunk := o.rowPixels * C
		for t := 0; t < o.g.filterH*o.g.filterW; t++ {
			tile(o.wRow[t*chunk:(t+1)*chunk], o.wData[t*C:(t+1)*C])
		}
		if o.biasData != nil {
			tile(o.biasRow, o.biasData[:C])
		}
	}
	o.pool.Run(o, o.g.batches*o.g.outH)
	return nil
}

// tile fills dst with copies of src.
func tile(dst, src []float32) {
	for i := 0; i < len(dst); i += len(src) {
		copy(dst[i:], src)
	}
}

// runRow computes output row oy of batch b with the row kernel.
func (o *depthwiseFloatFast) runRow(outRow []float32, b, oy int) {
	g := &o.g
	C := g.outC
	rows := g.rowTaps[oy]
	iy0 := oy*g.strideH - g.padH
	chunk := o.rowPixels * C
	for ox0 := 0; ox0 < g.outW; ox0 += o.rowPixels {
		ox1 := min(ox0+o.rowPixels, g.outW)
		acc := outRow[ox0*C : ox1*C]
		copy(acc, o.biasRow)
		for fy := rows.lo; fy < rows.hi; fy++ {
			base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
			for fx := 0; fx < g.filterW; fx++ {
				// Output pixels whose tap fx is inside the input.
				off := fx*g.dilationW - g.padW
				lo, hi := max(ox0, -off), min(ox1, g.inW-off)
				if lo >= hi {
					continue
				}
				a := acc[(lo-ox0)*C : (hi-ox0)*C]
				x := o.inData[(base+lo+off)*C : (base+hi+off)*C]
				t := fy*g.filterW + fx
				wt := o.wRow[t*chunk : t*chunk+len(a)]
				i := 0
				if o.simd {
					i = dwTapFloatSIMD(a, x, wt)
				}
				for ; i < len(a); i++ {
					a[i] += float32(x[i] * wt[i])
				}
			}
		}
		if o.clamps {
			clampF32s(acc, acc, o.actMin, o.actMax, o.simd)
		}
	}
}

// RunParts computes output rows [lo, hi) (row = batch·outH + oy).
func (o *depthwiseFloatFast) RunParts(w, lo, hi int) {
	g := &o.g
	C, Cin := g.outC, g.inC
	acc := o.acc[w*C : (w+1)*C]
	for r := lo; r < hi; r++ {
		b, oy := r/g.outH, r%g.outH
		rows := g.rowTaps[oy]
		iy0 := oy*g.strideH - g.padH
		outRow := o.outData[r*g.outW*C : (r+1)*g.outW*C]
		if o.rowPixels > 0 {
			o.runRow(outRow, b, oy)
			continue
		}
		lo, hi := g.outW, g.outW // interior columns for dwRowF32
		if o.rowSIMD && rows.lo == 0 && rows.hi == g.filterH {
			lo, hi = o.interiorLo, o.interiorHi
			o.rowInterior(outRow, b, iy0, lo, hi)
		}
		for ox := 0; ox < g.outW; ox++ {
			if ox == lo {
				ox = hi - 1
				continue
			}
			cols := g.colTaps[ox]
			ix0 := ox*g.strideW - g.padW
			if o.biasData != nil {
				copy(acc, o.biasData)
			} else {
				clear(acc)
			}
			for fy := rows.lo; fy < rows.hi; fy++ {
				base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
				for fx := cols.lo; fx < cols.hi; fx++ {
					p := base + ix0 + fx*g.dilationW
					x := o.inData[p*Cin : (p+1)*Cin]
					t := fy*g.filterW + fx
					if o.mult != 1 {
						depthwiseFloatTapMult(acc, x, o.wData[t*C:(t+1)*C], o.mult)
						continue
					}
					wt := o.wData[t*C : (t+1)*C][:len(x)]
					acc := acc[:len(x)]
					c0 := 0
					if o.simd {
						c0 = dwTapFloatSIMD(acc, x, wt)
					}
					for c := c0; c < len(x); c++ {
						acc[c] += float32(x[c] * wt[c])
					}
				}
			}
			dst := outRow[ox*C : (ox+1)*C]
			for c := range dst {
				dst[c] = clampF32(acc[c], o.actMin, o.actMax)
			}
		}
	}
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *depthwiseFloatFast) reference() Op { return o.ref }

// depthwiseFloatTapMult adds one tap for depth multiplier mult.
func depthwiseFloatTapMult(acc, x, w []float32, mult int) {
	for ic, v := range x {
		a := acc[ic*mult : (ic+1)*mult]
		wt := w[ic*mult : (ic+1)*mult][:len(a)]
		for m := range a {
			a[m] += float32(v * wt[m])
		}
	}
}

// rowInterior computes output columns [lo, hi) of a row whose taps all
// lie inside the input (filter rows from input row iy0 of batch b): the
// assembly takes whole blocks of 8 channels, this loop the rest, both
// from the bias and in the reference order.
func (o *depthwiseFloatFast) rowInterior(outRow []float32, b, iy0, lo, hi int) {
	if lo >= hi {
		return
	}
	g := &o.g
	C := g.inC
	p := ((b*g.inH+iy0)*g.inW + lo*g.strideW - g.padW) * C
	pxStep := g.strideW * C
	bias := o.biasData
	if bias == nil {
		bias = o.zeroBias
	}
	bias = bias[:C]
	blocks := C / 8
	// The assembly does not check bounds; these make Go do it once.
	_ = o.inData[p+o.tapOffsets[len(o.tapOffsets)-1]/4+(hi-lo-1)*pxStep+C-1]
	_ = o.wData[len(o.tapOffsets)*C-1]
	dst := outRow[lo*C : hi*C]
	dwRowF32(&o.inData[p], &o.tapOffsets[0], len(o.tapOffsets), uintptr(4*pxStep), &o.wData[0], uintptr(4*C), &bias[0], o.actMin, o.actMax, &dst[0], hi-lo, blocks)
	for c := blocks * 8; c < C; c++ {
		for i := 0; i < hi-lo; i++ {
			q := p + i*pxStep + c
			acc := bias[c]
			for t, off := range o.tapOffsets {
				acc += float32(o.inData[q+off/4] * o.wData[t*C+c])
			}
			dst[i*C+c] = clampF32(acc, o.actMin, o.actMax)
		}
	}
}
