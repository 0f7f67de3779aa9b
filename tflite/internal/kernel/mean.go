package kernel

import (
	"math"
	"math/bits"
	"slices"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// MeanOptions are MEAN's builtin options (ReducerOptions).
type MeanOptions struct {
	KeepDims bool
}

// parseMeanOptions reads MEAN options; a nil operator or one without options
// drops the reduced dimensions.
func parseMeanOptions(op *schema.Operator) (MeanOptions, error) {
	var opts MeanOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.ReducerOptions](op, schema.BuiltinOptionsReducerOptions)
	if err != nil {
		return opts, err
	}
	opts.KeepDims = o.KeepDims()
	return opts, nil
}

// prepareMean validates a MEAN node and prepares its kernel.
func prepareMean(n *Node) (Op, error) {
	opts, err := parseMeanOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newMean(n, opts)
}

// maxMeanRank bounds the input rank so Eval can walk indices in a fixed
// array.
const maxMeanRank = 8

// meanGeometry maps input elements to output elements: walking the input
// in order, the output index is the dot product of the coordinates with
// outStride, whose entries are 0 on reduced axes.
type meanGeometry struct {
	dims      []int
	outStride []int
	count     int // input elements per output element
	// special is TF 2.2's dedicated case: 4-D, keep_dims, axes {1, 2}
	// (it changes the uint8 algorithm).
	special bool
	// block is set when the reduced axes are consecutive, so the input is
	// [outer][reduced][inner] and the output [outer][inner] (the global
	// average pool of image models): sums then run as plain loops.
	block                 bool
	outer, reduced, inner int
}

// sumBlocks adds x over the reduced block into sum ([outer][inner]),
// offsetting each value by off; with vec, the whole blocks of 16
// channels go to the vector kernel (meanSumRows).
func sumBlocks[T ewQuant](g *meanGeometry, sum []int32, x []T, off int32, vec bool) {
	for o := 0; o < g.outer; o++ {
		s := sum[o*g.inner : (o+1)*g.inner]
		x := x[o*g.reduced*g.inner : (o+1)*g.reduced*g.inner]
		done := 0
		if vec {
			done = meanSumRows(s, x, g.reduced, g.inner)
			for j := range s[:done] {
				s[j] += off * int32(g.reduced)
			}
		}
		rest := s[done:]
		for r := 0; r < g.reduced; r++ {
			row := x[r*g.inner+done : r*g.inner+len(s)]
			rest := rest[:len(row)]
			for j, v := range row {
				rest[j] += int32(v) + off
			}
		}
	}
}

// newMean prepares MEAN (inputs: data, constant int32 axes) for float32,
// int8 and uint8.
func newMean(n *Node, opts MeanOptions) (Op, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, err
	}
	in, axis, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	g, err := newMeanGeometry(n, in, axis, out, opts.KeepDims)
	if err != nil {
		return nil, err
	}
	if out.Type != in.Type {
		return nil, n.Errorf("output %q has type %s, input %q has %s", out.Name, out.Type, in.Name, in.Type)
	}
	outN := out.NumElements()
	switch in.Type {
	case tensor.Float32:
		return &meanFloat{in: in, out: out, g: g, sum: make([]float32, outN)}, nil
	case tensor.Int8:
		p, err := newMeanQuant(n, in, out, g)
		if err != nil {
			return nil, err
		}
		return newMeanQuantOp[int8](in, out, g, p), nil
	case tensor.Uint8:
		p, err := newMeanQuant(n, in, out, g)
		if err != nil {
			return nil, err
		}
		return newMeanQuantOp[uint8](in, out, g, p), nil
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", in.Name, in.Type)
}

func newMeanGeometry(n *Node, in, axis, out *tensor.Tensor, keepDims bool) (meanGeometry, error) {
	rank := len(in.Shape)
	if rank > maxMeanRank {
		return meanGeometry{}, n.Unsupportedf("input %q has rank %d, max %d", in.Name, rank, maxMeanRank)
	}
	if axis.Type != tensor.Int32 {
		return meanGeometry{}, n.Errorf("axis %q has type %s, want int32", axis.Name, axis.Type)
	}
	if !axis.Const || axis.Data == nil {
		return meanGeometry{}, n.Unsupportedf("axis %q is not a constant tensor", axis.Name)
	}
	if len(axis.Data) != axis.ByteSize() {
		return meanGeometry{}, n.Errorf("axis %q has %d bytes, want %d", axis.Name, len(axis.Data), axis.ByteSize())
	}
	reduced := make([]bool, rank)
	var resolved []int
	for _, a := range axis.Int32() {
		ax := int(a)
		if ax < 0 {
			ax += rank
		}
		if ax < 0 || ax >= rank {
			return meanGeometry{}, n.Errorf("axis value %d is out of range for input %q of rank %d", a, in.Name, rank)
		}
		if !reduced[ax] {
			reduced[ax] = true
			resolved = append(resolved, ax)
		}
	}
	var want []int
	g := meanGeometry{dims: slices.Clone(in.Shape), outStride: make([]int, rank), count: 1}
	for d := range rank {
		if reduced[d] {
			g.count *= in.Shape[d]
			if keepDims {
				want = append(want, 1)
			}
			continue
		}
		want = append(want, in.Shape[d])
	}
	if !slices.Equal(out.Shape, want) {
		return meanGeometry{}, n.Errorf("output %q has shape %s, want %s", out.Name, tensor.ShapeString(out.Shape), tensor.ShapeString(want))
	}
	s := 1
	for d := rank - 1; d >= 0; d-- {
		if !reduced[d] {
			g.outStride[d] = s
			s *= in.Shape[d]
		}
	}
	slices.Sort(resolved)
	g.special = keepDims && rank == 4 && slices.Equal(resolved, []int{1, 2})
	if len(resolved) > 0 && resolved[len(resolved)-1]-resolved[0] == len(resolved)-1 {
		first, last := resolved[0], resolved[len(resolved)-1]
		g.block = true
		g.outer, g.reduced, g.inner = 1, 1, 1
		for d, size := range in.Shape {
			switch {
			case d < first:
				g.outer *= size
			case d <= last:
				g.reduced *= size
			default:
				g.inner *= size
			}
		}
	}
	return g, nil
}

// accumulate walks the input in order and calls add(outIndex, inIndex).
func (g *meanGeometry) accumulate(add func(o, i int)) {
	var coord [maxMeanRank]int
	rank := len(g.dims)
	total := 1
	for _, d := range g.dims {
		total *= d
	}
	o := 0
	for i := 0; i < total; i++ {
		add(o, i)
		// Advance the odometer, keeping o in step.
		for d := rank - 1; d >= 0; d-- {
			coord[d]++
			o += g.outStride[d]
			if coord[d] < g.dims[d] {
				break
			}
			o -= coord[d] * g.outStride[d]
			coord[d] = 0
		}
	}
}

// meanFloat is MEAN on float32: sum in input order, divide by the count.
type meanFloat struct {
	in, out *tensor.Tensor
	g       meanGeometry
	sum     []float32
}

// Eval computes the output.
func (k *meanFloat) Eval() error {
	x, y := k.in.Float32(), k.out.Float32()
	clear(k.sum)
	if g := &k.g; g.block {
		for o := 0; o < g.outer; o++ {
			s := k.sum[o*g.inner : (o+1)*g.inner]
			for r := 0; r < g.reduced; r++ {
				row := x[(o*g.reduced+r)*g.inner:][:len(s)]
				for j, v := range row {
					s[j] += v
				}
			}
		}
	} else {
		k.g.accumulate(func(o, i int) { k.sum[o] += x[i] })
	}
	c := float32(k.g.count)
	for i := range y {
		y[i] = k.sum[i] / c
	}
	return nil
}

// meanPath names TFLite 2.2's quantized MEAN algorithms, which round
// differently.
type meanPath int

const (
	// meanInt8 is tflite-micro's integer QuantizedMeanOrSum, which the
	// int8 goldens follow for every axis set: the offset sum times one
	// multiplier in/(out·count), where 1/count is folded into the Q31
	// multiplier by an integer division. TF 2.2 instead divides by the
	// count after requantizing and rounds once, so the two differ by one
	// now and then (49 elements summing to 73: TF 2.2 gives 1,
	// tflite-micro 2).
	meanInt8 meanPath = iota
	// meanSpecialUint8 is the 4-D axes {1,2} case for uint8 (TF 2.2's
	// optimized MeanImpl): raw sum times in/(count·out) scale, plus an
	// integer bias.
	meanSpecialUint8
	// meanSameQuant (uint8): input and output share scale and zero
	// point; the raw sum divided by the count, truncating toward zero.
	meanSameQuant
	// meanRescale (uint8): TF 2.2's QuantizedMeanOrSum, float maths with
	// its extra +0.5 before rounding.
	meanRescale
)

// meanQuantParams hold the chosen path and its constants.
type meanQuantParams struct {
	path         meanPath
	inZP, outZP  int32
	mult         int32
	shift        int
	bias         int32   // meanSpecialUint8
	scale, fbias float32 // meanRescale
	lo, hi       int32
}

func newMeanQuant(n *Node, in, out *tensor.Tensor, g meanGeometry) (meanQuantParams, error) {
	if err := ewCheckPerTensor(n, in); err != nil {
		return meanQuantParams{}, err
	}
	if err := ewCheckPerTensor(n, out); err != nil {
		return meanQuantParams{}, err
	}
	if g.count == 0 {
		return meanQuantParams{}, n.Errorf("input %q has no elements along the reduced axes", in.Name)
	}
	inS, outS := in.Scale[0], out.Scale[0]
	p := meanQuantParams{inZP: in.ZeroPointAt(0), outZP: out.ZeroPointAt(0), lo: 0, hi: 255}
	if in.Type == tensor.Int8 {
		p.lo, p.hi = -128, 127
	}
	switch {
	case in.Type == tensor.Int8:
		p.path = meanInt8
		p.mult, p.shift = fixedpoint.QuantizeMultiplier(float64(inS) / float64(outS))
		// Fold 1/count in with as much precision as int64 allows while
		// keeping the final shift >= -31.
		shift := 63 - bits.LeadingZeros64(uint64(g.count))
		shift = min(shift, 32, 31+p.shift)
		p.mult = int32((int64(p.mult) << shift) / int64(g.count))
		p.shift -= shift
	case g.special:
		p.path = meanSpecialUint8
		// Float expressions as TF 2.2 writes them; the bias truncates.
		p.bias = p.outZP - int32(float32(p.inZP)*inS/outS)
		p.mult, p.shift = fixedpoint.QuantizeMultiplier(float64(inS / (float32(g.count) * outS)))
	case inS == outS && p.inZP == p.outZP:
		p.path = meanSameQuant
	default:
		p.path = meanRescale
		p.scale = inS / outS
		// The explicit float32() keeps Go from fusing this into an FMA on
		// arm64, which would round differently from amd64 and TFLite.
		p.fbias = float32(float32(-p.inZP)*p.scale) + 0.5
	}
	return p, nil
}

// meanQuant is MEAN on int8 or uint8 tensors.
type meanQuant[T ewQuant] struct {
	in, out *tensor.Tensor
	g       meanGeometry
	p       meanQuantParams
	sum     []int32
	// vecSum runs the block sums on the vector kernel (mean_simd.go).
	vecSum bool
	// rq, when set, requantizes the sums with requant16 (the paths
	// that end in MultiplyByQuantizedMultiplier).
	rq *meanRequant
}

// newMeanQuantOp prepares the quantized kernel, with the vector sums
// and requantization where the machine has them.
func newMeanQuantOp[T ewQuant](in, out *tensor.Tensor, g meanGeometry, p meanQuantParams) *meanQuant[T] {
	k := &meanQuant[T]{in: in, out: out, g: g, p: p, sum: make([]int32, out.NumElements()), vecSum: meanSumCPU()}
	if intSIMD() {
		switch p.path {
		case meanInt8:
			k.rq = newMeanRequant[T](p.mult, p.shift, p.outZP, p.lo, p.hi)
		case meanSpecialUint8:
			k.rq = newMeanRequant[T](p.mult, p.shift, p.bias, p.lo, p.hi)
		}
	}
	return k
}

// Eval computes the output.
func (k *meanQuant[T]) Eval() error {
	x, y := ewElems[T](k.in), ewElems[T](k.out)
	clear(k.sum)
	var off int32
	if k.p.path == meanInt8 {
		off = -k.p.inZP
	}
	if k.g.block {
		sumBlocks(&k.g, k.sum, x, off, k.vecSum)
	} else {
		k.g.accumulate(func(o, i int) { k.sum[o] += int32(x[i]) + off })
	}
	done := 0
	if k.rq != nil {
		done = k.rq.run(k.sum, ewBytes(y))
	}
	count := int32(k.g.count)
	p := &k.p
	sums, y := k.sum[done:], y[done:]
	for i, s := range sums {
		var v int32
		switch p.path {
		case meanInt8:
			v = fixedpoint.MultiplyByQuantizedMultiplier(s, p.mult, p.shift) + p.outZP
		case meanSpecialUint8:
			v = fixedpoint.MultiplyByQuantizedMultiplier(s, p.mult, p.shift) + p.bias
		case meanSameQuant:
			v = s / count
		case meanRescale:
			mean := float32(s) / float32(count)
			// float32() keeps the product rounded before the add, as
			// in C++ (no fused multiply-add).
			v = int32(math.Round(float64(float32(mean*p.scale)+p.fbias))) + p.outZP
		}
		y[i] = T(min(max(v, p.lo), p.hi))
	}
	return nil
}
