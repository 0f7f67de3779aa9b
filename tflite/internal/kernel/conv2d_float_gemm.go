package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// conv2DFloatGemm is conv2DGemm for float32: im2col blocks of output
// pixels times the packed constant filter, blocks split across the pool.
type conv2DFloatGemm struct {
	ref       *conv2DFloat // the reference loop, for tests
	n         *Node
	g         convGeometry
	epi       floatEpilogue
	in, out   *tensor.Tensor
	bias      *tensor.Tensor
	gemm      *floatGemm
	pool      *parallel.Pool
	k         int
	pixels    int
	blockRows int
	splitN    int
	scratch   borrowed[float32] // per worker: an im2col block, then gemm's scratch
	perWorker int
	rows      *convRows[float32, float32] // im2col into scratch (no scratch of its own)

	inData, outData []float32
}

// newConv2DFloatGemm prepares the product with a constant filter once per
// Model; nil when the filter is computed at run time.
func newConv2DFloatGemm(ref *conv2DFloat) *conv2DFloatGemm {
	if !ref.filter.Const || len(ref.filter.Data) != ref.filter.ByteSize() {
		return nil
	}
	n, g := ref.n, ref.g
	k := g.filterH * g.filterW * g.inC
	pixels := g.batches * g.outH * g.outW
	gemm := newFloatGemm(n, "conv2d/packed-float", ref.filter.Float32(), g.outC, k, pixels)
	if gemm == nil {
		return nil
	}
	o := &conv2DFloatGemm{
		ref: ref, n: n, g: g, in: ref.in, out: ref.out, bias: ref.bias, gemm: gemm,
		pool: n.Pool, k: k, pixels: pixels,
		epi: floatEpilogue{bias: make([]float32, g.outC), actMin: ref.actMin, actMax: ref.actMax, simd: intSIMD()},
	}
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		copy(o.epi.bias, ref.bias.Float32())
	}
	o.blockRows = min(max(2, convBlockBytes/(4*k)/2*2), max(2, (o.pixels+1)/2*2))
	if workers := o.pool.Workers(); workers > 1 {
		// Several blocks per worker, so that they finish together.
		o.blockRows = min(o.blockRows, max(8, (o.pixels/(4*workers)+7)/8*8))
	}
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.splitN = 1
	if workers := o.pool.Workers(); workers > 1 && blocks < 2*workers {
		o.splitN = min(workers, gemm.groups())
	}
	o.rows = newConvRows(n, &o.g, k, k, o.blockRows, 0, 0, float32(0), floatCopy)
	o.perWorker = o.blockRows*k + gemm.blockScratch(o.blockRows)
	o.scratch = borrow[float32](n, o.pool.Workers()*o.perWorker)
	return o
}

// Eval checks the bindings, then runs the pixel blocks on the pool.
func (o *conv2DFloatGemm) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		copy(o.epi.bias, o.bias.Float32())
	}
	o.inData, o.outData = o.in.Float32(), o.out.Float32()
	o.rows.bind(o.inData)
	blocks := (o.pixels + o.blockRows - 1) / o.blockRows
	o.pool.Run(o, blocks*o.splitN)
	return nil
}

// RunParts computes parts [lo, hi): part = block·splitN + slice.
func (o *conv2DFloatGemm) RunParts(w, lo, hi int) {
	groups := o.gemm.groups()
	scratch := o.scratch.get()[w*o.perWorker : (w+1)*o.perWorker]
	a, gemmScratch := scratch[:o.blockRows*o.k], scratch[o.blockRows*o.k:]
	lastBlock := -1
	for part := lo; part < hi; part++ {
		blk, slice := part/o.splitN, part%o.splitN
		m0 := blk * o.blockRows
		rows := min(o.blockRows, o.pixels-m0)
		rowsA := a[:rows*o.k]
		if o.rows.direct {
			// 1×1, stride 1: the rows are the input pixels themselves.
			rowsA = o.inData[m0*o.k : (m0+rows)*o.k]
		} else if blk != lastBlock {
			o.rows.im2col(rowsA, m0, rows)
			lastBlock = blk
		}
		gLo, gHi := slice*groups/o.splitN, (slice+1)*groups/o.splitN
		o.gemm.gemm(rowsA, rows, m0, gLo, gHi, &o.epi, o.outData[m0*o.g.outC:(m0+rows)*o.g.outC], gemmScratch)
	}
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *conv2DFloatGemm) reference() Op { return o.ref }
