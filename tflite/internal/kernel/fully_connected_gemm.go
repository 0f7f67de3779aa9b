package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// fcGemm runs a quantized FULLY_CONNECTED on the packed integer GEMM: the
// input rows are widened once per Eval (with the input offset) into
// scratch, then slices of output channel groups run on the worker pool.
// For the dot4 layout the rows are the raw int8 input: the input tensor
// itself when depth is a multiple of 4, else a copy at stride p.lda.
type fcGemm[T quantElem] struct {
	ref     *fcQuant[T] // the reference loop, for tests
	n       *Node
	g       fcGeometry
	q       convQuant
	epi     intEpilogue
	in, out *tensor.Tensor
	bias    *tensor.Tensor
	p       *packedInt
	pool    *parallel.Pool
	a       []int16 // batches·lda widened input (not dot4)
	a8      []int8  // dot4: batches·lda raw input, nil if lda = depth
	slices  int     // parts = slices of channel groups
	widen   func([]int16, []T, int16)

	rows8   []int8 // dot4 rows, bound by Eval
	outData []T
}

// fcMinGroupsPerPart keeps parts big enough to be worth a hand-off.
const fcMinGroupsPerPart = 16

// newFCGemm packs the weights once per Model; nil means the reference
// loop must run (lane overflow possible).
func newFCGemm[T quantElem](ref *fcQuant[T]) *fcGemm[T] {
	n, g := ref.n, ref.g
	p := cachedPackInt(n, "fully_connected/packed-int", dataAs[T](ref.weights), g.units, g.depth, ref.q.filterOffset)
	if p == nil {
		return nil
	}
	o := &fcGemm[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, p: p,
		pool: n.Pool,
	}
	switch {
	case !p.dot4:
		o.a = make([]int16, g.batches*p.lda)
	case p.lda != g.depth:
		o.a8 = make([]int8, g.batches*p.lda)
	}
	o.widen = convWiden[T]
	if p.simd {
		o.widen = convWidenSIMD[T]
	}
	o.epi = newIntEpilogue(&o.q, p, isUnsigned[T]())
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		o.epi.setBias(ref.bias.Int32())
	}
	o.slices = max(1, min(o.pool.Workers(), p.groups()/fcMinGroupsPerPart))
	return o
}

// Eval widens the input and runs the channel slices.
func (o *fcGemm[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		o.epi.setBias(o.bias.Int32())
	}
	// Rows are padded to the kernel's stride; the padding stays 0.
	lda, depth := o.p.lda, o.g.depth
	switch {
	case o.p.dot4 && o.a8 == nil:
		o.rows8 = dataAs[int8](o.in)[:o.g.batches*depth]
	case o.p.dot4:
		in := dataAs[int8](o.in)
		for b := 0; b < o.g.batches; b++ {
			copy(o.a8[b*lda:b*lda+depth], in[b*depth:(b+1)*depth])
		}
		o.rows8 = o.a8
	default:
		in, off := dataAs[T](o.in), int16(o.q.inputOffset)
		for b := 0; b < o.g.batches; b++ {
			o.widen(o.a[b*lda:b*lda+depth], in[b*depth:(b+1)*depth], off)
		}
	}
	o.outData = dataAs[T](o.out)
	o.pool.Run(o, o.slices)
	return nil
}

// RunParts computes channel-group slices [lo, hi) for every batch row.
func (o *fcGemm[T]) RunParts(_, lo, hi int) {
	groups := o.p.groups()
	gLo, gHi := lo*groups/o.slices, hi*groups/o.slices
	out := o.outData[:o.g.batches*o.g.units]
	if o.p.dot4 {
		gemmIntDot4(o.rows8, o.g.batches, o.p, gLo, gHi, &o.epi, out)
		return
	}
	gemmInt(o.a, o.g.batches, o.p, gLo, gHi, &o.epi, out)
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *fcGemm[T]) reference() Op { return o.ref }
