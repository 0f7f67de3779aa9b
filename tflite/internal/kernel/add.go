package kernel

import (
	"fmt"
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// AddOptions are ADD's builtin options.
type AddOptions struct {
	Activation schema.ActivationFunctionType
}

// parseAddOptions reads ADD options; a nil operator or one without options
// means no fused activation.
func parseAddOptions(op *schema.Operator) (AddOptions, error) {
	var opts AddOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.AddOptions](op, schema.BuiltinOptionsAddOptions)
	if err != nil {
		return opts, err
	}
	opts.Activation = o.FusedActivationFunction()
	return opts, nil
}

// prepareAdd validates an ADD node and prepares its kernel.
func prepareAdd(n *Node) (Op, error) {
	opts, err := parseAddOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newAdd(n, opts)
}

// newAdd prepares ADD: out = a + b with broadcasting, for float32, int8 and
// uint8 tensors.
func newAdd(n *Node, opts AddOptions) (Op, error) {
	return newAddSub(n, opts.Activation, false)
}

// newAddSub prepares ADD (sub false) or SUB (sub true); they share
// validation and, for quantized tensors, TFLite's rescaling scheme.
func newAddSub(n *Node, act schema.ActivationFunctionType, sub bool) (Op, error) {
	a, b, out, bc, err := ewBinaryOperands(n)
	if err != nil {
		return nil, err
	}
	switch a.Type {
	case tensor.Float32:
		lo, hi, err := floatActivationRange(n, act)
		if err != nil {
			return nil, err
		}
		return &addSubFloat{a: a, b: b, out: out, bc: bc, lo: lo, hi: hi, sub: sub, simd: intSIMD()}, nil
	case tensor.Int8:
		return newAddSubQuant[int8](n, a, b, out, bc, act, sub)
	case tensor.Uint8:
		return newAddSubQuant[uint8](n, a, b, out, bc, act, sub)
	}
	return nil, n.Unsupportedf("input %q has type %s, want float32, int8 or uint8", a.Name, a.Type)
}

// ewBinaryOperands checks the common shape of ADD/SUB/MUL: two inputs and an
// output of one type whose shapes broadcast.
func ewBinaryOperands(n *Node) (a, b, out *tensor.Tensor, bc *broadcast4, err error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, nil, nil, nil, err
	}
	a, b, out = n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if b.Type != a.Type || out.Type != a.Type {
		return nil, nil, nil, nil, n.Errorf("types differ: input %q %s, input %q %s, output %q %s", a.Name, a.Type, b.Name, b.Type, out.Name, out.Type)
	}
	bc, err = newBroadcast4(n, a, b, out)
	return a, b, out, bc, err
}

// ewCheckPerTensor verifies that a quantized tensor has one positive scale.
func ewCheckPerTensor(n *Node, t *tensor.Tensor) error {
	if len(t.Scale) != 1 {
		return n.Errorf("tensor %q has %d scales, want 1 (per-tensor quantization)", t.Name, len(t.Scale))
	}
	if !(t.Scale[0] > 0) || math.IsInf(float64(t.Scale[0]), 0) {
		return n.Errorf("tensor %q has scale %g, want a positive finite value", t.Name, t.Scale[0])
	}
	if len(t.ZeroPoint) > 1 {
		return n.Errorf("tensor %q has %d zero points, want 1", t.Name, len(t.ZeroPoint))
	}
	lo, hi := int32(math.MinInt8), int32(math.MaxInt8)
	if t.Type == tensor.Uint8 {
		lo, hi = 0, math.MaxUint8
	}
	if zp := t.ZeroPointAt(0); zp < lo || zp > hi {
		return n.Errorf("tensor %q has zero point %d, outside [%d, %d] of %s", t.Name, zp, lo, hi, t.Type)
	}
	return nil
}

// addSubLeftShift is the headroom TFLite gives 8-bit inputs before rescaling
// them to a common scale, so that the sum keeps 20 fractional bits.
const addSubLeftShift = 20

// addSubParams are TFLite's quantized ADD/SUB parameters: each input is
// offset, shifted left by 20, scaled by input_scale / (2·max input scale),
// summed, then scaled to the output.
type addSubParams struct {
	in1Offset, in2Offset, outOffset int32
	in1Mult, in2Mult, outMult       int32
	in1Shift, in2Shift, outShift    int
	lo, hi                          int32
}

// newAddSubParams computes the parameters exactly as TFLite's Prepare does:
// the float scales promoted to double, each multiplier split by
// QuantizeMultiplier and required to be below one.
func newAddSubParams(n *Node, a, b, out *tensor.Tensor, act schema.ActivationFunctionType) (addSubParams, error) {
	for _, t := range []*tensor.Tensor{a, b, out} {
		if err := ewCheckPerTensor(n, t); err != nil {
			return addSubParams{}, err
		}
	}
	p := addSubParams{
		in1Offset: -a.ZeroPointAt(0),
		in2Offset: -b.ZeroPointAt(0),
		outOffset: out.ZeroPointAt(0),
	}
	// 2·max is computed in float as TFLite does (exact: a power of two).
	twiceMax := float64(2 * max(a.Scale[0], b.Scale[0]))
	real1 := float64(a.Scale[0]) / twiceMax
	real2 := float64(b.Scale[0]) / twiceMax
	realOut := twiceMax / float64(float32(1<<addSubLeftShift)*out.Scale[0])
	var err error
	if p.in1Mult, p.in1Shift, err = ewMultiplierBelowOne(n, "input 1", real1); err != nil {
		return p, err
	}
	if p.in2Mult, p.in2Shift, err = ewMultiplierBelowOne(n, "input 2", real2); err != nil {
		return p, err
	}
	if p.outMult, p.outShift, err = ewMultiplierBelowOne(n, "output", realOut); err != nil {
		return p, err
	}
	p.lo, p.hi, err = quantizedActivationRange(n, act, out)
	return p, err
}

// ewMultiplierBelowOne quantizes a real multiplier that TFLite requires to be
// in (0, 1) (QuantizeMultiplierSmallerThanOneExp).
func ewMultiplierBelowOne(n *Node, what string, real float64) (int32, int, error) {
	if !(real > 0 && real < 1) {
		return 0, 0, n.Unsupportedf("%s rescale multiplier %g is outside (0, 1)", what, real)
	}
	m, shift := fixedpoint.QuantizeMultiplier(real)
	return m, shift, nil
}

// apply combines two raw quantized values: subtraction when sub is set.
func (p *addSubParams) apply(x, y int32, sub bool) int32 {
	s1 := fixedpoint.MultiplyByQuantizedMultiplier((x+p.in1Offset)<<addSubLeftShift, p.in1Mult, p.in1Shift)
	s2 := fixedpoint.MultiplyByQuantizedMultiplier((y+p.in2Offset)<<addSubLeftShift, p.in2Mult, p.in2Shift)
	raw := s1 + s2
	if sub {
		raw = s1 - s2
	}
	v := fixedpoint.MultiplyByQuantizedMultiplier(raw, p.outMult, p.outShift) + p.outOffset
	return min(max(v, p.lo), p.hi)
}

// addSubTable holds a quantized ADD or SUB's result for every pair of
// 8-bit inputs, indexed by uint16(x)<<8 | y over the raw bytes. Both
// inputs take only 256 values, so 64 KiB answers every element with one
// load instead of three fixed-point rescales, and, being built with apply
// itself, equals it exactly.
type addSubTable [1 << 16]uint8

// cachedAddSubTable returns the model-wide table for these parameters:
// operators with equal parameters (common in residual networks) share
// one. It returns nil when kernels must not build derived data (see
// Node.Validating and Node.LowMemory).
func cachedAddSubTable[T ewQuant](n *Node, p addSubParams, sub bool) *addSubTable {
	if n.Validating || n.LowMemory {
		return nil
	}
	var zero T
	key := fmt.Sprintf("addsub/%T/%v/%+v", zero, sub, p)
	// Node -1: the table depends on the parameters alone, not the node.
	return constCached(&Node{Index: -1, Consts: n.Consts}, key, func() *addSubTable {
		var t addSubTable
		for x := range 256 {
			for y := range 256 {
				v := p.apply(int32(T(uint8(x))), int32(T(uint8(y))), sub)
				t[x<<8|y] = uint8(T(v))
			}
		}
		return &t
	})
}

// newAddSubQuant prepares quantized ADD or SUB: the vector kernel
// (add_simd.go) where this machine has one and the rows are long enough,
// the table for the rest.
func newAddSubQuant[T ewQuant](n *Node, a, b, out *tensor.Tensor, bc *broadcast4, act schema.ActivationFunctionType, sub bool) (Op, error) {
	p, err := newAddSubParams(n, a, b, out, act)
	if err != nil {
		return nil, err
	}
	k := &addSubQuant[T]{a: a, b: b, out: out, bc: bc, p: p, sub: sub, pool: n.Pool}
	if k.vec = cachedAddVec[T](n, p, sub); k.vec != nil && !bc.same {
		if bc.dims[3] < addVecStep {
			k.vec = nil // rows too short for the vector kernel
		} else {
			k.spread = borrow[byte](n, bc.dims[3])
		}
	}
	if k.vec == nil {
		k.table = cachedAddSubTable[T](n, p, sub)
	}
	return k, nil
}

// addSubQuant is ADD or SUB on int8 or uint8 tensors.
type addSubQuant[T ewQuant] struct {
	a, b, out *tensor.Tensor
	bc        *broadcast4
	p         addSubParams
	sub       bool
	vec       *addVecKernel // nil: no vector kernel for these tensors
	table     *addSubTable  // nil: compute each element with p.apply
	// spread holds a row of one repeated input element, for the vector
	// kernel on broadcast inputs.
	spread borrowed[byte]
	pool   *parallel.Pool

	x, y, o []T // bound by Eval for RunParts
}

// addSubChunk is the number of elements per part of an ADD split
// across the pool: large enough that a part outweighs handing it out.
const addSubChunk = 16 << 10

// Eval computes the output.
func (k *addSubQuant[T]) Eval() error {
	x, y, o := ewElems[T](k.a), ewElems[T](k.b), ewElems[T](k.out)
	if k.bc.same && (k.vec != nil || k.table != nil) {
		k.x, k.y, k.o = x[:len(o)], y[:len(o)], o
		k.pool.Run(k, (len(o)+addSubChunk-1)/addSubChunk)
		return nil
	}
	if k.vec != nil {
		k.evalRows(x, y, o)
		return nil
	}
	if t := k.table; t != nil {
		k.bc.each(func(oi, i, j int) {
			o[oi] = T(t[uint16(uint8(x[i]))<<8|uint16(uint8(y[j]))])
		})
		return nil
	}
	if k.bc.same {
		for i := range o {
			o[i] = T(k.p.apply(int32(x[i]), int32(y[i]), k.sub))
		}
		return nil
	}
	k.bc.each(func(oi, i, j int) {
		o[oi] = T(k.p.apply(int32(x[i]), int32(y[j]), k.sub))
	})
	return nil
}

// RunParts computes parts [lo, hi) of addSubChunk elements (equal
// shapes), with the vector kernel or the table.
func (k *addSubQuant[T]) RunParts(_, lo, hi int) {
	end := min(hi*addSubChunk, len(k.o))
	x, y, o := k.x[lo*addSubChunk:end], k.y[lo*addSubChunk:end], k.o[lo*addSubChunk:end]
	if k.vec != nil {
		k.vec.run(&k.p, k.sub, ewBytes(o), ewBytes(x), ewBytes(y), isUnsigned[T]())
		return
	}
	t := k.table
	y = y[:len(o)]
	x = x[:len(o)]
	for i := range o {
		o[i] = T(t[uint16(uint8(x[i]))<<8|uint16(uint8(y[i]))])
	}
}

// evalRows runs the vector kernel on each innermost row of a broadcast
// (the row at least addVecStep long). An input steps through a row by
// one element or repeats one element; a repeated element is spread
// into k.spread first.
func (k *addSubQuant[T]) evalRows(x, y, o []T) {
	xb, yb, ob := ewBytes(x), ewBytes(y), ewBytes(o)
	s1, s2 := k.bc.stride[0], k.bc.stride[1]
	n := k.bc.dims[3]
	spread, held := k.spread.get()[:n], -1 // held: the byte spread holds
	row := func(b []byte, at, step int) []byte {
		if step != 0 {
			return b[at : at+n]
		}
		if v := int(b[at]); v != held {
			for i := range spread {
				spread[i] = b[at]
			}
			held = v
		}
		return spread
	}
	k.bc.eachRow(func(oi, i, j int) {
		k.vec.run(&k.p, k.sub, ob[oi:oi+n], row(xb, i, s1[3]), row(yb, j, s2[3]), isUnsigned[T]())
	})
}

// addSubFloat is ADD or SUB on float32 tensors.
type addSubFloat struct {
	a, b, out *tensor.Tensor
	bc        *broadcast4
	lo, hi    float32
	sub       bool
	simd      bool
}

// Eval computes the output.
func (k *addSubFloat) Eval() error {
	x, y, o := k.a.Float32(), k.b.Float32(), k.out.Float32()
	switch {
	case k.bc.same && k.sub:
		subClampF32s(o, x, y, k.lo, k.hi, k.simd)
	case k.bc.same:
		addClampF32s(o, x, y, k.lo, k.hi, k.simd)
	case k.sub:
		// Subtraction is written out rather than as x + (-1)·y, which Go
		// would compile to a fused multiply-add on arm64 (see the FMA
		// guard in `make smoke`).
		k.bc.each(func(oi, i, j int) { o[oi] = clampF32(x[i]-y[j], k.lo, k.hi) })
	default:
		k.bc.each(func(oi, i, j int) { o[oi] = clampF32(x[i]+y[j], k.lo, k.hi) })
	}
	return nil
}
