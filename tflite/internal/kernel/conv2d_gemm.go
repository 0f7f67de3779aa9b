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
	pixels    int // batches·outH·outW
	blockRows int
	splitN    int // parts per pixel block (channel-group slices)
	scratch   []int16

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
	p := constCached(n, "conv2d/packed-int", func() *packedInt {
		p, ok := packInt(convElems[T](ref.filter), g.outC, k, ref.q.filterOffset)
		if !ok {
			return nil
		}
		return p
	})
	if p == nil {
		return nil
	}
	o := &conv2DGemm[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, p: p,
		pool: n.Pool, k: k, pixels: g.batches * g.outH * g.outW,
	}
	o.epi = intEpilogue{q: &o.q, bias: make([]int32, g.outC)}
	if ref.bias != nil && len(ref.bias.Data) > 0 && ref.bias.Const {
		copy(o.epi.bias, ref.bias.Int32())
	}
	o.blockRows = min(max(3, convBlockBytes/(2*k)/3*3), max(3, (o.pixels+2)/3*3))
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.splitN = 1
	if workers := o.pool.Workers(); workers > 1 && blocks < 2*workers {
		o.splitN = min(workers, p.groups())
	}
	o.scratch = make([]int16, o.pool.Workers()*o.blockRows*k)
	return o
}

// Eval checks the bindings, then runs the pixel blocks on the pool.
func (o *conv2DGemm[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := convCheckBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		// A computed bias is read afresh each run.
		copy(o.epi.bias, o.bias.Int32())
	}
	o.inData, o.outData = convElems[T](o.in), convElems[T](o.out)
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.pool.Run(o, blocks*o.splitN)
	return nil
}

// RunParts computes parts [lo, hi): part = block·splitN + slice.
func (o *conv2DGemm[T]) RunParts(w, lo, hi int) {
	groups := o.p.groups()
	a := o.scratch[w*o.blockRows*o.k : (w+1)*o.blockRows*o.k]
	lastBlock := -1
	for part := lo; part < hi; part++ {
		blk, slice := part/o.splitN, part%o.splitN
		m0 := blk * o.blockRows
		rows := min(o.blockRows, o.pixels-m0)
		if blk != lastBlock {
			o.im2col(a[:rows*o.k], m0, rows)
			lastBlock = blk
		}
		gLo, gHi := slice*groups/o.splitN, (slice+1)*groups/o.splitN
		gemmInt(a[:rows*o.k], rows, o.p, gLo, gHi, &o.epi, o.outData[m0*o.g.outC:(m0+rows)*o.g.outC])
	}
}

// im2col writes rows output pixels starting at pixel m0 as rows of k
// input values (tap-major: filter row, filter column, channel — the
// filter's own layout), each plus the input offset, padding taps 0.
func (o *conv2DGemm[T]) im2col(dst []int16, m0, rows int) {
	g := &o.g
	in := o.inData
	off := int16(o.q.inputOffset)
	plane := g.outH * g.outW
	rowLen := g.filterW * g.inC
	for r := 0; r < rows; r++ {
		m := m0 + r
		b, rem := m/plane, m%plane
		oy, ox := rem/g.outW, rem%g.outW
		iy0, ix0 := oy*g.strideH-g.padH, ox*g.strideW-g.padW
		taps, cols := g.rowTaps[oy], g.colTaps[ox]
		row := dst[r*o.k : (r+1)*o.k]
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
				convWiden(d[cols.lo*g.inC:cols.hi*g.inC], src, off)
				continue
			}
			for fx := cols.lo; fx < cols.hi; fx++ {
				src := in[(base+ix0+fx*g.dilationW)*g.inC : (base+ix0+fx*g.dilationW+1)*g.inC]
				convWiden(d[fx*g.inC:(fx+1)*g.inC], src, off)
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
