package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// conv2DGemm runs a quantized CONV_2D as a GEMM: blocks of output pixels
// are unrolled (im2col) into rows of int16 with the input offset applied
// and padding taps set to 0, then multiplied by the packed filter. Blocks
// are the units split across the worker pool; each worker has its own
// im2col scratch, sized at prepare, so Eval does not allocate.
type conv2DGemm[T quantElem] struct {
	ref       *conv2DQuant[T] // the reference loop, for tests
	n         *Node
	g         convGeometry
	q         convQuant
	epi       intEpilogue
	in, out   *tensor.Tensor
	bias      *tensor.Tensor
	p         *packedInt
	pool      *parallel.Pool
	k         int // filterH·filterW·inC
	lda       int // im2col row stride (p.lda)
	pixels    int // batches·outH·outW
	blockRows int
	splitN    int // parts per pixel block (channel-group slices)
	scratch   []int16
	widen     func([]int16, []T, int16) // convWiden or its SIMD form
	// pointwise marks 1×1, stride 1 convolutions whose im2col rows are
	// the input rows themselves (no padding, k = lda).
	pointwise bool
	// padded is the input widened to int16 with the offset applied, once
	// per Eval, inside a border of zeros as wide as the padding (see
	// newPaddedInput); im2col then copies whole filter rows from it. Nil
	// for pointwise and column-dilated convolutions.
	padded *paddedInput

	// Bound by Eval for RunParts.
	inData  []T
	outData []T
}

// convBlockBytes is the target im2col block size: small enough to stay in
// L2 while every channel group streams over it.
const convBlockBytes = 48 << 10

// newConv2DGemm packs the filter (once per Model through n.Consts) and
// sizes the scratch. It returns nil when the filter cannot use the packed
// kernel, leaving the reference loop to run it.
func newConv2DGemm[T quantElem](ref *conv2DQuant[T]) *conv2DGemm[T] {
	n, g := ref.n, ref.g
	k := g.filterH * g.filterW * g.inC
	p := cachedPackInt(n, "conv2d/packed-int", dataAs[T](ref.filter), g.outC, k, ref.q.filterOffset)
	if p == nil {
		return nil
	}
	o := &conv2DGemm[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, p: p,
		pool: n.Pool, k: k, lda: p.lda, pixels: g.batches * g.outH * g.outW,
	}
	o.pointwise = g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 &&
		g.outH == g.inH && g.outW == g.inW && o.lda == k
	o.widen = convWiden[T]
	if p.simd {
		o.widen = convWidenSIMD[T]
	}
	if !o.pointwise && g.dilationW == 1 {
		o.padded = newPaddedInput(&g)
	}
	o.epi = newIntEpilogue(&o.q, g.outC, isUnsigned[T]())
	if ref.bias != nil && len(ref.bias.Data) > 0 && ref.bias.Const {
		o.epi.setBias(ref.bias.Int32())
	}
	o.blockRows = min(max(12, convBlockBytes/(2*o.lda)/12*12), max(12, (o.pixels+11)/12*12))
	if workers := o.pool.Workers(); workers > 1 {
		// Several blocks per worker, so that they finish together.
		o.blockRows = min(o.blockRows, max(12, (o.pixels/(4*workers)+11)/12*12))
	}
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.splitN = 1
	if workers := o.pool.Workers(); workers > 1 && blocks < 2*workers {
		o.splitN = min(workers, p.groups())
	}
	o.scratch = make([]int16, o.pool.Workers()*o.blockRows*o.lda)
	return o
}

// Eval checks the bindings, then runs the pixel blocks on the pool.
func (o *conv2DGemm[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		// A computed bias is read afresh each run.
		o.epi.setBias(o.bias.Int32())
	}
	o.inData, o.outData = dataAs[T](o.in), dataAs[T](o.out)
	if pi := o.padded; pi != nil {
		g := &o.g
		rowLen := g.inW * g.inC
		for b := 0; b < g.batches; b++ {
			for y := 0; y < g.inH; y++ {
				src := o.inData[(b*g.inH+y)*rowLen : (b*g.inH+y+1)*rowLen]
				o.widen(pi.data[pi.at(b, y, 0, g.inC):][:rowLen], src, int16(o.q.inputOffset))
			}
		}
	}
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.pool.Run(o, blocks*o.splitN)
	return nil
}

// RunParts computes parts [lo, hi): part = block·splitN + slice.
func (o *conv2DGemm[T]) RunParts(w, lo, hi int) {
	groups := o.p.groups()
	a := o.scratch[w*o.blockRows*o.lda : (w+1)*o.blockRows*o.lda]
	lastBlock := -1
	for part := lo; part < hi; part++ {
		blk, slice := part/o.splitN, part%o.splitN
		m0 := blk * o.blockRows
		rows := min(o.blockRows, o.pixels-m0)
		if blk != lastBlock {
			o.im2col(a[:rows*o.lda], m0, rows)
			lastBlock = blk
		}
		gLo, gHi := slice*groups/o.splitN, (slice+1)*groups/o.splitN
		gemmInt(a[:rows*o.lda], rows, o.p, gLo, gHi, &o.epi, o.outData[m0*o.g.outC:(m0+rows)*o.g.outC])
	}
}

// im2col writes rows output pixels starting at pixel m0 as rows of k
// input values plus the input offset, padding taps 0.
func (o *conv2DGemm[T]) im2col(dst []int16, m0, rows int) {
	if o.pointwise {
		// Output pixels are input pixels: the block is one contiguous run.
		o.widen(dst[:rows*o.k], o.inData[m0*o.k:(m0+rows)*o.k], int16(o.q.inputOffset))
		return
	}
	g := &o.g
	plane := g.outH * g.outW
	rowLen := g.filterW * g.inC
	if pi := o.padded; pi != nil {
		for r := 0; r < rows; r++ {
			m := m0 + r
			b, rem := m/plane, m%plane
			oy, ox := rem/g.outW, rem%g.outW
			row := dst[r*o.lda : (r+1)*o.lda]
			clear(row[o.k:])
			for fy := 0; fy < g.filterH; fy++ {
				src := pi.data[pi.at(b, oy*g.strideH-g.padH+fy*g.dilationH, ox*g.strideW-g.padW, g.inC):]
				copy(row[fy*rowLen:(fy+1)*rowLen], src[:rowLen])
			}
		}
		return
	}
	in := o.inData
	off := int16(o.q.inputOffset)
	for r := 0; r < rows; r++ {
		m := m0 + r
		b, rem := m/plane, m%plane
		oy, ox := rem/g.outW, rem%g.outW
		iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
		taps, cols := g.rowTaps[oy], g.colTaps[ox]
		row := dst[r*o.lda : (r+1)*o.lda]
		clear(row[o.k:])
		for fy := 0; fy < g.filterH; fy++ {
			d := row[fy*rowLen : (fy+1)*rowLen]
			if fy < taps.lo || fy >= taps.hi {
				clear(d)
				continue
			}
			base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
			clear(d[:cols.lo*g.inC])
			clear(d[cols.hi*g.inC:])
			if g.dilationW == 1 {
				// In-bounds taps of one filter row are contiguous input.
				src := in[(base+ix0+cols.lo)*g.inC : (base+ix0+cols.hi)*g.inC]
				d := d[cols.lo*g.inC : cols.hi*g.inC]
				if len(src) >= 16 {
					o.widen(d, src, off)
					continue
				}
				// Short runs (few channels) are cheaper inline than a call.
				d = d[:len(src)]
				for i, v := range src {
					d[i] = int16(v) + off
				}
				continue
			}
			for fx := cols.lo; fx < cols.hi; fx++ {
				p := base + ix0 + fx*g.dilationW
				convWiden(d[fx*g.inC:(fx+1)*g.inC], in[p*g.inC:(p+1)*g.inC], off)
			}
		}
	}
}

// paddedInput is a batch of NHWC int16 images inside a border of zeros
// wide enough for every filter tap of a convolution: padded taps read 0,
// which is TFLite's input zero point once the offset is added.
type paddedInput struct {
	data      []int16
	top, left int // border above and left of the image
	h, w      int // padded height and width
}

// newPaddedInput sizes the border from the taps the convolution reads:
// rows from -padH to (outH-1)·strideH − padH + (filterH−1)·dilationH, and
// likewise for columns. The border is zeroed here and never written.
func newPaddedInput(g *convGeometry) *paddedInput {
	lastY := (g.outH-1)*g.strideH - g.padH + (g.filterH-1)*g.dilationH
	lastX := (g.outW-1)*g.strideW - g.padW + (g.filterW-1)*g.dilationW
	pi := &paddedInput{top: g.padH, left: g.padW}
	pi.h = g.padH + max(g.inH, lastY+1)
	pi.w = g.padW + max(g.inW, lastX+1)
	pi.data = make([]int16, g.batches*pi.h*pi.w*g.inC)
	return pi
}

// at returns the index of channel 0 of input pixel (y, x) of batch b; y
// and x may lie in the border.
func (pi *paddedInput) at(b, y, x, channels int) int {
	return ((b*pi.h+y+pi.top)*pi.w + x + pi.left) * channels
}

// convIm2col (float32; conv2DGemm.im2col is its quantized twin) unrolls
// rows output pixels starting at pixel m0 into rows of
// filterH·filterW·inC values, tap-major (filter row, filter column,
// channel — the filter's own layout). widen converts one run of input
// channels, adding off; taps outside the input are the zero value, which
// equals TFLite skipping them (quantized: the offset input zero point is
// 0; float: adding 0·w leaves a sum unchanged).
// Rows are lda apart; values past k in a row are zeroed.
func convIm2col[S, D any](g *convGeometry, dst []D, lda int, in []S, m0, rows int, off D, widen func([]D, []S, D)) {
	plane := g.outH * g.outW
	rowLen := g.filterW * g.inC
	k := g.filterH * rowLen
	for r := 0; r < rows; r++ {
		m := m0 + r
		b, rem := m/plane, m%plane
		oy, ox := rem/g.outW, rem%g.outW
		iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
		taps, cols := g.rowTaps[oy], g.colTaps[ox]
		row := dst[r*lda : r*lda+k]
		clear(dst[r*lda+k : (r+1)*lda])
		for fy := 0; fy < g.filterH; fy++ {
			d := row[fy*rowLen : (fy+1)*rowLen]
			if fy < taps.lo || fy >= taps.hi {
				clear(d)
				continue
			}
			base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
			clear(d[:cols.lo*g.inC])
			clear(d[cols.hi*g.inC:])
			if g.dilationW == 1 {
				// In-bounds taps of one filter row are contiguous input.
				src := in[(base+ix0+cols.lo)*g.inC : (base+ix0+cols.hi)*g.inC]
				widen(d[cols.lo*g.inC:cols.hi*g.inC], src, off)
				continue
			}
			for fx := cols.lo; fx < cols.hi; fx++ {
				p := base + ix0 + fx*g.dilationW
				widen(d[fx*g.inC:(fx+1)*g.inC], in[p*g.inC:(p+1)*g.inC], off)
			}
		}
	}
}

// convWiden stores src + off as int16 into dst (same length).
func convWiden[T quantElem](dst []int16, src []T, off int16) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = int16(v) + off
	}
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *conv2DGemm[T]) reference() Op { return o.ref }
