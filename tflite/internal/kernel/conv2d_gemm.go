package kernel

import (
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// conv2DGemm runs a quantized CONV_2D as a GEMM: blocks of output pixels
// are unrolled (im2col) into rows of the packed kernel's element type
// (see convRows), then multiplied by the packed filter. Blocks are the
// units split across the worker pool; each worker has its own im2col
// scratch, sized at prepare, so Eval does not allocate.
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
	pixels    int // batches·outH·outW
	blockRows int
	splitN    int // parts per pixel block (channel-group slices)
	// The A rows, exactly one of: int16 input + inputOffset for the
	// portable and SMLAL/VPMADDWD kernels, or the raw int8 input for the
	// dot4 layout (p.dot4).
	a16 *convRows[T, int16]
	a8  *convRows[int8, int8]

	outData []T // bound by Eval for RunParts
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
		pool: n.Pool, pixels: g.batches * g.outH * g.outW,
	}
	elemSize := 2
	if p.dot4 {
		elemSize = 1
	}
	o.blockRows = min(max(12, convBlockBytes/(elemSize*p.lda)/12*12), max(12, (o.pixels+11)/12*12))
	workers := o.pool.Workers()
	if workers > 1 {
		// Several blocks per worker, so that they finish together.
		o.blockRows = min(o.blockRows, max(12, (o.pixels/(4*workers)+11)/12*12))
	}
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.splitN = 1
	if workers > 1 && blocks < 2*workers {
		o.splitN = min(workers, p.groups())
	}
	if p.dot4 {
		// Padding taps hold the input zero point: with the bias fold they
		// add (zp + inputOffset)·w = 0, as in TFLite.
		o.a8 = newConvRows(n, &o.g, k, p.lda, o.blockRows, workers, 0, int8(-o.q.inputOffset), copyInt8)
	} else {
		widen := convWiden[T]
		if p.simd {
			widen = convWidenSIMD[T]
		}
		o.a16 = newConvRows(n, &o.g, k, p.lda, o.blockRows, workers, int16(o.q.inputOffset), 0, widen)
	}
	o.epi = newIntEpilogue(&o.q, p, isUnsigned[T]())
	if ref.bias != nil && len(ref.bias.Data) > 0 && ref.bias.Const {
		o.epi.setBias(ref.bias.Int32())
	}
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
	if o.a8 != nil {
		o.a8.bind(dataAs[int8](o.in))
	} else {
		o.a16.bind(dataAs[T](o.in))
	}
	o.outData = dataAs[T](o.out)
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.pool.Run(o, blocks*o.splitN)
	return nil
}

// RunParts computes parts [lo, hi): part = block·splitN + slice.
func (o *conv2DGemm[T]) RunParts(w, lo, hi int) {
	if o.a8 != nil {
		convParts(o, o.a8, gemmIntDot4[T], w, lo, hi)
		return
	}
	convParts(o, o.a16, gemmInt[T], w, lo, hi)
}

// convParts is RunParts with A rows from c multiplied by gemm.
func convParts[T, S quantElem, D int8 | int16](o *conv2DGemm[T], c *convRows[S, D], gemm func([]D, int, *packedInt, int, int, *intEpilogue, []T), w, lo, hi int) {
	groups := o.p.groups()
	var a []D
	lastBlock := -1
	for part := lo; part < hi; part++ {
		blk, slice := part/o.splitN, part%o.splitN
		m0 := blk * o.blockRows
		rows := min(o.blockRows, o.pixels-m0)
		if blk != lastBlock {
			a = c.rows(w, m0, rows)
			lastBlock = blk
		}
		gLo, gHi := slice*groups/o.splitN, (slice+1)*groups/o.splitN
		gemm(a, rows, o.p, gLo, gHi, &o.epi, o.outData[m0*o.g.outC:(m0+rows)*o.g.outC])
	}
}

// rowSource is what convolution inputs hold; rowElem what im2col rows
// hold: int16 (input + offset) or raw int8 for the integer kernels,
// float32 for float ones.
type (
	rowSource interface{ quantElem | float32 }
	rowElem   interface{ int8 | int16 | float32 }
)

// convRows builds a convolution's im2col rows of D from an NHWC input of
// S: each input value plus off, each padding tap pad. The
// int16 kernels take off = inputOffset, pad = 0 (the zero point once
// offset); dot4 takes the raw int8 input, off = 0 and pad = the input
// zero point (see intEpilogue.fold). Row values past k are 0, matching
// the packed weights' zero padding taps.
type convRows[S rowSource, D rowElem] struct {
	g         *convGeometry
	k, lda    int // taps per row, row stride
	blockRows int // rows per worker's scratch block
	off, pad  D
	widen     func([]D, []S, D) // stores src + off into dst (same length)
	// pointwise marks 1×1, stride 1 convolutions whose rows are the input
	// pixels themselves (no padding, k = lda); direct, that they are the
	// input verbatim (raw int8), so the kernel reads the input in place.
	pointwise, direct bool
	// scratch is blockRows·lda per worker, borrowed from the
	// interpreter's Scratch; none when direct.
	scratch borrowed[D]
	// padded is the input converted to D, refreshed by bind, inside a
	// border of pad as wide as the padding (see newPaddedInput); im2col
	// then copies whole filter rows from it. Nil for pointwise and
	// column-dilated convolutions.
	padded *paddedInput[D]

	in []S // bound by bind
}

// newConvRows sizes the rows of node n's convolution with geometry g for
// workers workers (0: the caller brings the rows' memory).
func newConvRows[S rowSource, D rowElem](n *Node, g *convGeometry, k, lda, blockRows, workers int, off, pad D, widen func([]D, []S, D)) *convRows[S, D] {
	c := &convRows[S, D]{g: g, k: k, lda: lda, blockRows: blockRows, off: off, pad: pad, widen: widen}
	c.pointwise = g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 &&
		g.outH == g.inH && g.outW == g.inW && lda == k
	_, same := any([]S(nil)).([]D)
	c.direct = c.pointwise && same && off == 0
	if !c.direct && workers > 0 {
		c.scratch = borrow[D](n, workers*blockRows*lda)
	}
	if !c.pointwise && g.dilationW == 1 {
		c.padded = newPaddedInput(g, pad)
	}
	return c
}

// copyInt8 is the widen function of raw int8 rows: a copy (off is 0).
func copyInt8(dst, src []int8, _ int8) { copy(dst, src) }

// bind sets the input for the next rows calls and refreshes the padded
// image from it.
func (c *convRows[S, D]) bind(in []S) {
	c.in = in
	pi := c.padded
	if pi == nil {
		return
	}
	g := c.g
	rowLen := g.inW * g.inC
	for b := 0; b < g.batches; b++ {
		for y := 0; y < g.inH; y++ {
			src := in[(b*g.inH+y)*rowLen : (b*g.inH+y+1)*rowLen]
			c.widen(pi.data[pi.at(b, y, 0, g.inC):][:rowLen], src, c.off)
		}
	}
}

// rows returns the rows of output pixels [m0, m0+rows), built in worker
// w's scratch block unless they are the input itself.
func (c *convRows[S, D]) rows(w, m0, rows int) []D {
	if c.direct {
		// S and D are both int8 here.
		in := unsafe.Slice((*D)(unsafe.Pointer(unsafe.SliceData(c.in))), len(c.in))
		return in[m0*c.k : (m0+rows)*c.k]
	}
	a := c.scratch.get()[w*c.blockRows*c.lda:][:rows*c.lda]
	c.im2col(a, m0, rows)
	return a
}

// im2col writes the rows of output pixels [m0, m0+rows) into dst.
func (c *convRows[S, D]) im2col(dst []D, m0, rows int) {
	g, k, lda := c.g, c.k, c.lda
	if c.pointwise {
		// Output pixels are input pixels: the block is one contiguous run.
		c.widen(dst[:rows*k], c.in[m0*k:(m0+rows)*k], c.off)
		return
	}
	plane := g.outH * g.outW
	rowLen := g.filterW * g.inC
	if pi := c.padded; pi != nil {
		// Output pixel (b, oy, ox) steps along the block; dividing m0
		// once instead of per row saves two integer divisions a pixel.
		b, rem := m0/plane, m0%plane
		oy, ox := rem/g.outW, rem%g.outW
		tapStep := g.dilationH * pi.w * g.inC // between filter rows
		pxStep := g.strideW * g.inC           // between output pixels of a row
		for r := 0; r < rows; {
			// The rest of output row oy: its pixels' taps are pxStep apart.
			n := min(rows-r, g.outW-ox)
			p := pi.at(b, oy*g.strideH-g.padH, ox*g.strideW-g.padW, g.inC)
			im2colRun(dst[r*lda:(r+n)*lda], pi.data, p, n, lda, k, rowLen, g.filterH, tapStep, pxStep)
			r, ox = r+n, ox+n
			if ox == g.outW {
				ox = 0
				if oy++; oy == g.outH {
					oy, b = 0, b+1
				}
			}
		}
		return
	}
	// Column-dilated: the in-bounds taps of a filter row are separate
	// runs of inC values.
	for r := 0; r < rows; r++ {
		m := m0 + r
		b, rem := m/plane, m%plane
		oy, ox := rem/g.outW, rem%g.outW
		iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
		taps, cols := g.rowTaps[oy], g.colTaps[ox]
		row := dst[r*lda : (r+1)*lda]
		clear(row[k:])
		for fy := 0; fy < g.filterH; fy++ {
			d := row[fy*rowLen : (fy+1)*rowLen]
			if fy < taps.lo || fy >= taps.hi {
				fillElems(d, c.pad)
				continue
			}
			base := (b*g.inH + iy0 + fy*g.dilationH) * g.inW
			fillElems(d[:cols.lo*g.inC], c.pad)
			fillElems(d[cols.hi*g.inC:], c.pad)
			for fx := cols.lo; fx < cols.hi; fx++ {
				p := base + ix0 + fx*g.dilationW
				c.put(d[fx*g.inC:(fx+1)*g.inC], c.in[p*g.inC:(p+1)*g.inC])
			}
		}
	}
}

// im2colRun writes n im2col rows (stride lda, k taps, zeros after) of
// consecutive output pixels of one output row from a padded image: pixel
// i's filter row fy is the rowLen values at data[p + i·pxStep + fy·tapStep].
// A plain function of few variables, so that they stay in registers.
func im2colRun[D rowElem](dst, data []D, p, n, lda, k, rowLen, filterH, tapStep, pxStep int) {
	if im2colRunSIMD(dst, data, p, n, lda, k, rowLen, filterH, tapStep, pxStep) {
		return
	}
	for i := 0; i < n; i, p = i+1, p+pxStep {
		row := dst[i*lda : (i+1)*lda]
		for j := k; j < lda; j++ {
			row[j] = 0
		}
		for fy, q := 0, p; fy < filterH; fy, q = fy+1, q+tapStep {
			copyRun(row[fy*rowLen:(fy+1)*rowLen], data[q:q+rowLen])
		}
	}
}

// copyRun is copy(dst, src) for equal lengths, inline for the short runs
// of a first layer's im2col (a filter row of 3 channels is 9 to 21
// values), where a memmove call per run costs more than the copy.
func copyRun[D rowElem](dst, src []D) {
	if len(src) >= 32 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		*(*[8]D)(dst[i:]) = *(*[8]D)(src[i:])
	}
	for ; i < len(src); i++ {
		dst[i] = src[i]
	}
}

// put stores src + off into dst; short runs (few channels) are cheaper
// inline than through the widen call.
func (c *convRows[S, D]) put(dst []D, src []S) {
	if len(src) >= 16 {
		c.widen(dst, src, c.off)
		return
	}
	dst = dst[:len(src)]
	if c.off == 0 {
		// Not v + 0: for floats that would turn −0 into +0.
		for i, v := range src {
			dst[i] = D(v)
		}
		return
	}
	for i, v := range src {
		dst[i] = D(v) + c.off
	}
}

// fillElems sets every element of s to v.
func fillElems[D rowElem](s []D, v D) {
	if v == 0 {
		clear(s)
		return
	}
	for i := range s {
		s[i] = v
	}
}

// paddedInput is a batch of NHWC images inside a border of padding
// values wide enough for every filter tap of a convolution.
type paddedInput[D rowElem] struct {
	data      []D
	top, left int // border above and left of the image
	h, w      int // padded height and width
}

// newPaddedInput sizes the border from the taps the convolution reads:
// rows from -padH to (outH-1)·strideH − padH + (filterH−1)·dilationH, and
// likewise for columns. The border is set to pad here and never written.
func newPaddedInput[D rowElem](g *convGeometry, pad D) *paddedInput[D] {
	lastY := (g.outH-1)*g.strideH - g.padH + (g.filterH-1)*g.dilationH
	lastX := (g.outW-1)*g.strideW - g.padW + (g.filterW-1)*g.dilationW
	pi := &paddedInput[D]{top: g.padH, left: g.padW}
	pi.h = g.padH + max(g.inH, lastY+1)
	pi.w = g.padW + max(g.inW, lastX+1)
	pi.data = make([]D, g.batches*pi.h*pi.w*g.inC)
	fillElems(pi.data, pad)
	return pi
}

// at returns the index of channel 0 of input pixel (y, x) of batch b; y
// and x may lie in the border.
func (pi *paddedInput[D]) at(b, y, x, channels int) int {
	return ((b*pi.h+y+pi.top)*pi.w + x + pi.left) * channels
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
