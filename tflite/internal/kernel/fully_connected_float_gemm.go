package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// fcFloatGemm is FULLY_CONNECTED float32 on the packed float GEMM; the
// input rows are used in place. Slices of channel groups run on the pool.
type fcFloatGemm struct {
	ref       *fcFloat // the reference loop, for tests
	n         *Node
	g         fcGeometry
	epi       floatEpilogue
	in, out   *tensor.Tensor
	bias      *tensor.Tensor
	gemm      *floatGemm
	pool      *parallel.Pool
	slices    int
	scratch   []float32 // per worker, gemm's scratch
	perWorker int

	inData, outData []float32
}

// newFCFloatGemm prepares the product with constant weights once per
// Model; nil otherwise.
func newFCFloatGemm(ref *fcFloat) *fcFloatGemm {
	if !ref.weights.Const || len(ref.weights.Data) != ref.weights.ByteSize() {
		return nil
	}
	n, g := ref.n, ref.g
	gemm := newFloatGemm(n, "fully_connected/packed-float", ref.weights.Float32(), g.units, g.depth, g.batches)
	if gemm == nil {
		return nil
	}
	o := &fcFloatGemm{
		ref: ref, n: n, g: g, in: ref.in, out: ref.out, bias: ref.bias, gemm: gemm, pool: n.Pool,
		epi: floatEpilogue{bias: make([]float32, g.units), actMin: ref.actMin, actMax: ref.actMax, simd: intSIMD()},
	}
	if ref.bias != nil && ref.bias.Const && len(ref.bias.Data) > 0 {
		copy(o.epi.bias, ref.bias.Float32())
	}
	o.slices = max(1, min(o.pool.Workers(), gemm.groups()/fcMinGroupsPerPart))
	o.perWorker = gemm.blockScratch(g.batches)
	o.scratch = make([]float32, o.pool.Workers()*o.perWorker)
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
func (o *fcFloatGemm) RunParts(w, lo, hi int) {
	groups := o.gemm.groups()
	gLo, gHi := lo*groups/o.slices, hi*groups/o.slices
	rows := o.g.batches
	o.gemm.gemm(o.inData[:rows*o.g.depth], rows, 0, gLo, gHi, &o.epi, o.outData[:rows*o.g.units], o.scratch[w*o.perWorker:(w+1)*o.perWorker])
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *fcFloatGemm) reference() Op { return o.ref }
