package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// fcFloatGemm is FULLY_CONNECTED float32 on the packed float GEMM; the
// input rows are used in place. Slices of channel groups run on the pool.
type fcFloatGemm struct {
	ref     *fcFloat // the reference loop, for tests
	n       *Node
	g       fcGeometry
	epi     floatEpilogue
	in, out *tensor.Tensor
	bias    *tensor.Tensor
	p       *packedFloat
	pool    *parallel.Pool
	slices  int

	inData, outData []float32
}

// newFCFloatGemm packs constant weights once per Model; nil otherwise.
func newFCFloatGemm(ref *fcFloat) *fcFloatGemm {
	if !ref.weights.Const || len(ref.weights.Data) != ref.weights.ByteSize() {
		return nil
	}
	n, g := ref.n, ref.g
	p := cachedPackFloat(n, "fully_connected/packed-float", ref.weights.Float32(), g.units, g.depth)
	if p == nil {
		return nil
	}
	o := &fcFloatGemm{
		ref: ref, n: n, g: g, in: ref.in, out: ref.out, bias: ref.bias, p: p, pool: n.Pool,
		epi: floatEpilogue{bias: make([]float32, g.units), actMin: ref.actMin, actMax: ref.actMax},
	}
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		copy(o.epi.bias, ref.bias.Float32())
	}
	o.slices = max(1, min(o.pool.Workers(), p.groups()/fcMinGroupsPerPart))
	return o
}

// Eval checks the bindings and runs the channel slices.
func (o *fcFloatGemm) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		copy(o.epi.bias, o.bias.Float32())
	}
	o.inData, o.outData = o.in.Float32(), o.out.Float32()
	o.pool.Run(o, o.slices)
	return nil
}

// RunParts computes channel-group slices [lo, hi) for every batch row.
func (o *fcFloatGemm) RunParts(_, lo, hi int) {
	groups := o.p.groups()
	gLo, gHi := lo*groups/o.slices, hi*groups/o.slices
	rows := o.g.batches
	gemmFloat(o.inData[:rows*o.g.depth], rows, o.p, gLo, gHi, &o.epi, o.outData[:rows*o.g.units])
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *fcFloatGemm) reference() Op { return o.ref }
