package kernel

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// The optimized kernels are checked against the plain reference loops
// (themselves checked against TFLite in the reference cases) on random
// geometries, zero points, scales and thread counts: outputs must be
// byte-identical.

// forEachKernelPath runs test once with the SIMD kernels the CPU allows
// and once with them forced off (EDGEFLEET_TFLITE_NOSIMD=1), so both paths
// are checked on every machine.
func forEachKernelPath(t *testing.T, test func(t *testing.T)) {
	t.Run("default", test)
	t.Run("nosimd", func(t *testing.T) {
		t.Setenv(noSIMDEnv, "1")
		if intSIMD() {
			t.Fatal("SIMD still selected with " + noSIMDEnv + "=1")
		}
		test(t)
	})
}

// usesDot4 reports whether op runs on the dot4 kernels (int8 on CPUs
// with SDOT or AVX512-VNNI).
func usesDot4(op Op) bool {
	switch o := op.(type) {
	case *conv2DGemm[int8]:
		return o.p.dot4
	case *depthwiseAsConv[int8]:
		return o.p.dot4
	case *fcGemm[int8]:
		return o.p.dot4
	}
	return false
}

// checkDot4Ran fails a test whose cases never reached the dot4 kernels
// although the machine selects them.
func checkDot4Ran(t *testing.T, cases int) {
	t.Helper()
	if intDot4() && cases == 0 {
		t.Error("no case ran on the dot4 kernels")
	}
	t.Logf("%d cases on the dot4 kernels", cases)
}

// referenced is implemented by optimized ops that keep their reference.
type referenced interface {
	Op
	reference() Op
}

// diffRand draws random test parameters.
type diffRand struct{ *rand.Rand }

func (r diffRand) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func (r diffRand) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

// quantTensor makes a quantized tensor; data nil means an activation.
func (r diffRand) quantTensor(name string, typ tensor.DType, shape []int, scales []float32, zp int64, data []byte) *tensor.Tensor {
	zps := make([]int64, len(scales))
	for i := range zps {
		zps[i] = zp
	}
	t := convTensor(name, typ, shape, scales, zps, data)
	if data == nil {
		copy(t.Data, r.bytes(len(t.Data)))
	}
	return t
}

// zeroPoint draws a zero point valid for typ.
func (r diffRand) zeroPoint(typ tensor.DType) int64 {
	if typ == tensor.Int8 {
		return int64(r.between(-128, 127))
	}
	return int64(r.between(0, 255))
}

// filterData draws weights; symmetric int8 stays in [-127, 127].
func (r diffRand) filterData(typ tensor.DType, n int) []byte {
	b := r.bytes(n)
	if typ == tensor.Int8 {
		for i, v := range b {
			if v == 0x80 {
				b[i] = 0x81
			}
		}
	}
	return b
}

// quantBias draws an optional int32 bias with the scale the ops expect.
func (r diffRand) quantBias(n int, scale float32) *tensor.Tensor {
	if r.IntN(4) == 0 {
		return nil
	}
	b := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		v := int32(r.between(-20000, 20000))
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	return convTensor("bias", tensor.Int32, []int{n}, []float32{scale}, []int64{0}, b)
}

func (r diffRand) activation() schema.ActivationFunctionType {
	return []schema.ActivationFunctionType{actNone, actRelu, actRelu6}[r.IntN(3)]
}

// checkAgainstReference evaluates op and its reference on the same input
// and compares the output bytes.
func checkAgainstReference(t *testing.T, name string, op Op, out *tensor.Tensor) {
	t.Helper()
	fast, ok := op.(referenced)
	if !ok {
		t.Fatalf("%s: got %T, want an optimized kernel", name, op)
	}
	if err := fast.reference().Eval(); err != nil {
		t.Fatalf("%s: reference: %v", name, err)
	}
	want := bytes.Clone(out.Data)
	clear(out.Data)
	if err := fast.Eval(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !bytes.Equal(out.Data, want) {
		bad := 0
		for i := range want {
			if out.Data[i] != want[i] {
				bad++
			}
		}
		t.Fatalf("%s: %d of %d output bytes differ from the reference loop", name, bad, len(want))
	}
}

func TestConv2DFastMatchesReference(t *testing.T) {
	forEachKernelPath(t, testConv2DFastMatchesReference)
}

func testConv2DFastMatchesReference(t *testing.T) {
	r := diffRand{rand.New(rand.NewPCG(4, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	ran, dot4 := 0, 0
	for i := 0; ran < 300 && i < 3000; i++ {
		typ := []tensor.DType{tensor.Int8, tensor.Uint8}[r.IntN(2)]
		batches, inH, inW, inC := r.between(1, 2), r.between(1, 12), r.between(1, 12), r.between(1, 20)
		outC, fh, fw := r.between(1, 19), r.between(1, 5), r.between(1, 5)
		opts := Conv2DOptions{
			Padding: []schema.Padding{sameP, validP}[r.IntN(2)],
			StrideH: r.between(1, 3), StrideW: r.between(1, 3),
			DilationH: r.between(1, 2), DilationW: r.between(1, 2),
			Activation: r.activation(),
		}
		if r.IntN(3) == 0 { // pointwise, the common case in real models
			fh, fw, opts.StrideH, opts.StrideW = 1, 1, 1, 1
			outC = r.between(1, 40)
		}
		if r.IntN(5) == 0 { // enough pixels × depth for several im2col blocks
			inH, inW, inC = r.between(10, 20), r.between(10, 20), r.between(60, 140)
		}
		outH := computeOutSize(opts.Padding, inH, fh, opts.StrideH, opts.DilationH)
		outW := computeOutSize(opts.Padding, inW, fw, opts.StrideW, opts.DilationW)
		if outH < 1 || outW < 1 {
			continue
		}
		inScale := float32(0.01 + r.Float64()*0.1)
		fScales := []float32{float32(0.005 + r.Float64()*0.05)}
		fZP := int64(0)
		if typ == tensor.Int8 && r.IntN(2) == 0 {
			fScales = make([]float32, outC)
			for c := range fScales {
				fScales[c] = float32(0.005 + r.Float64()*0.05)
			}
		}
		if typ == tensor.Uint8 {
			fZP = r.zeroPoint(typ)
		}
		in := r.quantTensor("in", typ, []int{batches, inH, inW, inC}, []float32{inScale}, r.zeroPoint(typ), nil)
		filter := r.quantTensor("filter", typ, []int{outC, fh, fw, inC}, fScales, fZP, r.filterData(typ, outC*fh*fw*inC))
		bias := r.quantBias(outC, inScale*fScales[0])
		if bias != nil && i%7 == 3 {
			// Sums past the short requantization's bound: the tiles take
			// requant16's general sequence instead.
			b := bias.Int32()
			b[r.IntN(len(b))] = int32(r.between(rqShortLimit, 1<<31-1-1<<24)) * int32(1-2*r.IntN(2))
		}
		if bias != nil && i%5 == 0 {
			bias.Const = false // computed at run time: set at every Eval
		}
		outScale := inScale * fScales[0] * float32(10+r.IntN(200))
		out := r.quantTensor("out", typ, []int{batches, outH, outW, outC}, []float32{outScale}, r.zeroPoint(typ), nil)
		pool := pools[r.IntN(len(pools))]
		n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
		op, err := newConv2D(n, opts)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if usesDot4(op) {
			dot4++
		}
		name := fmt.Sprintf("case %d %s in %v filter %v %+v threads %d", i, typ, in.Shape, filter.Shape, opts, pool.Workers())
		checkAgainstReference(t, name, op, out)
		ran++
	}
	checkDot4Ran(t, dot4)
}

func TestDepthwiseFastMatchesReference(t *testing.T) {
	forEachKernelPath(t, testDepthwiseFastMatchesReference)
}

func testDepthwiseFastMatchesReference(t *testing.T) {
	r := diffRand{rand.New(rand.NewPCG(5, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	ran, dot4 := 0, 0
	for i := 0; ran < 300 && i < 3000; i++ {
		typ := []tensor.DType{tensor.Int8, tensor.Uint8}[r.IntN(2)]
		c := depthwiseDiffCase{typ: typ, batches: r.between(1, 2), inH: r.between(1, 12), inW: r.between(1, 12), inC: r.between(1, 40), mult: 1}
		if r.IntN(4) == 0 {
			c.mult = r.between(2, 8)
			c.inC = r.between(1, 4)
		}
		c.fh, c.fw = r.between(1, 5), r.between(1, 5)
		if r.IntN(2) == 0 {
			c.fh, c.fw = 3, 3
		}
		c.opts = DepthwiseConv2DOptions{
			Padding: []schema.Padding{sameP, validP}[r.IntN(2)],
			StrideH: r.between(1, 2), StrideW: r.between(1, 2),
			DilationH: r.between(1, 2), DilationW: r.between(1, 2),
			Activation: r.activation(),
		}
		c.perChannel = typ == tensor.Int8 && r.IntN(2) == 0
		c.pool = pools[r.IntN(len(pools))]
		op, ok := r.depthwiseDiff(t, i, &c)
		if !ok {
			continue
		}
		if usesDot4(op) {
			dot4++
		}
		ran++
	}
	checkDot4Ran(t, dot4)
}

func TestDepthwiseRowMatchesReference(t *testing.T) {
	forEachKernelPath(t, testDepthwiseRowMatchesReference)
}

// testDepthwiseRowMatchesReference aims at the row kernel: 3×3 filters,
// depth multiplier 1, channel counts that are multiples of 8 (a half
// block alone, whole blocks, both), stride 1 and 2, SAME and VALID,
// rows wide enough for interior runs of many pixels, multipliers above
// one now and then (the left-shift loop) and biases too large for the
// short requantization (the general one), one and two threads.
func testDepthwiseRowMatchesReference(t *testing.T) {
	r := diffRand{rand.New(rand.NewPCG(7, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	var rows, fast, left, half, pairs int
	for i := 0; i < 240; i++ {
		typ := []tensor.DType{tensor.Int8, tensor.Uint8}[i%2]
		c := depthwiseDiffCase{
			typ: typ, batches: r.between(1, 2), inH: r.between(1, 14), inW: r.between(1, 30),
			inC: []int{8, 16, 24, 32, 48, 144}[i/2%6], mult: 1, fh: 3, fw: 3,
			opts: DepthwiseConv2DOptions{
				Padding: []schema.Padding{sameP, validP}[i/12%2],
				StrideH: r.between(1, 2), StrideW: 1 + i/24%2,
				DilationH: 1, DilationW: 1,
				Activation: r.activation(),
			},
			perChannel: typ == tensor.Int8 && i/48%2 == 0,
			pool:       pools[i/96%2],
			leftShift:  r.IntN(6) == 0,
			hugeBias:   r.IntN(6) == 0,
		}
		if r.IntN(8) == 0 {
			c.opts.DilationH, c.opts.DilationW = r.between(1, 2), r.between(1, 2)
		}
		op, ok := r.depthwiseDiff(t, i, &c)
		if !ok {
			continue
		}
		if f, ok := op.(interface{ rowKernelUse() dwRowUse }); ok {
			u := f.rowKernelUse()
			rows, fast, left, half, pairs = rows+b2i(u.row), fast+b2i(u.fast), left+b2i(u.left), half+b2i(u.half), pairs+b2i(u.pairs)
		}
	}
	general := rows - fast
	t.Logf("%d cases on the row kernel: %d with the short requantization, %d the general one (%d shifting left); %d with a half block, %d with pixel pairs",
		rows, fast, general, left, half, pairs)
	if dwRowSIMD && intSIMD() && (rows < 100 || fast < 50 || general-left == 0 || left == 0 || half == 0 || pairs == 0) {
		t.Errorf("row kernel coverage too thin: %d cases, %d short, %d general, %d shifting left, %d with a half block, %d with pixel pairs",
			rows, fast, general, left, half, pairs)
	}
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// depthwiseDiffCase describes one random DEPTHWISE_CONV_2D.
type depthwiseDiffCase struct {
	typ                    tensor.DType
	batches, inH, inW, inC int
	mult, fh, fw           int
	opts                   DepthwiseConv2DOptions
	perChannel, leftShift  bool // per-channel scales (int8); multipliers above one
	hugeBias               bool // a bias at the ends of int32
	pool                   *parallel.Pool
}

// depthwiseDiff builds case c with random data and checks the prepared
// op against its reference; ok is false when the geometry has no output.
func (r diffRand) depthwiseDiff(t *testing.T, i int, c *depthwiseDiffCase) (op Op, ok bool) {
	t.Helper()
	outC := c.inC * c.mult
	outH := computeOutSize(c.opts.Padding, c.inH, c.fh, c.opts.StrideH, c.opts.DilationH)
	outW := computeOutSize(c.opts.Padding, c.inW, c.fw, c.opts.StrideW, c.opts.DilationW)
	if outH < 1 || outW < 1 {
		return nil, false
	}
	inScale := float32(0.01 + r.Float64()*0.1)
	fScales := []float32{float32(0.005 + r.Float64()*0.05)}
	fZP := int64(0)
	if c.perChannel {
		fScales = make([]float32, outC)
		for c := range fScales {
			fScales[c] = float32(0.005 + r.Float64()*0.05)
		}
	}
	if c.typ == tensor.Uint8 {
		fZP = r.zeroPoint(c.typ)
	}
	in := r.quantTensor("in", c.typ, []int{c.batches, c.inH, c.inW, c.inC}, []float32{inScale}, r.zeroPoint(c.typ), nil)
	filter := r.quantTensor("filter", c.typ, []int{1, c.fh, c.fw, outC}, fScales, fZP, r.filterData(c.typ, c.fh*c.fw*outC))
	filter.QuantizedDim = 3
	bias := r.quantBias(outC, inScale*fScales[0])
	for c.hugeBias && bias == nil {
		bias = r.quantBias(outC, inScale*fScales[0])
	}
	if c.hugeBias {
		b := bias.Int32()
		b[r.IntN(len(b))] = []int32{math.MaxInt32, math.MinInt32, 1 << 30, -1 << 30}[r.IntN(4)]
	}
	if bias != nil && i%5 == 0 {
		bias.Const = false
	}
	outScale := inScale * fScales[0] * float32(5+r.IntN(60))
	if c.leftShift {
		outScale = inScale * fScales[0] * float32(0.2+0.7*r.Float64())
	}
	out := r.quantTensor("out", c.typ, []int{c.batches, outH, outW, outC}, []float32{outScale}, r.zeroPoint(c.typ), nil)
	n := &Node{Code: schema.BuiltinOperatorDEPTHWISE_CONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}, Pool: c.pool}
	op, err := newDepthwiseConv2D(n, c.opts)
	if err != nil {
		t.Fatalf("case %d: %v", i, err)
	}
	name := fmt.Sprintf("case %d %s in %v filter %v %+v threads %d", i, c.typ, in.Shape, filter.Shape, c.opts, c.pool.Workers())
	checkAgainstReference(t, name, op, out)
	return op, true
}

func TestFullyConnectedFastMatchesReference(t *testing.T) {
	forEachKernelPath(t, testFullyConnectedFastMatchesReference)
}

func testFullyConnectedFastMatchesReference(t *testing.T) {
	r := diffRand{rand.New(rand.NewPCG(6, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	dot4 := 0
	for i := 0; i < 200; i++ {
		typ := []tensor.DType{tensor.Int8, tensor.Uint8}[r.IntN(2)]
		batches, depth, units := r.between(1, 5), r.between(1, 300), r.between(1, 150)
		if r.IntN(4) == 0 {
			units = r.between(64, 700) // enough groups to split across workers
		}
		inScale := float32(0.01 + r.Float64()*0.1)
		wScales := []float32{float32(0.005 + r.Float64()*0.05)}
		wZP := int64(0)
		if typ == tensor.Int8 && r.IntN(2) == 0 {
			wScales = make([]float32, units)
			for c := range wScales {
				wScales[c] = float32(0.005 + r.Float64()*0.05)
			}
		}
		if typ == tensor.Uint8 {
			wZP = r.zeroPoint(typ)
		}
		if typ == tensor.Int8 && len(wScales) == 1 && i%4 == 1 {
			// Per-tensor int8 weights may carry a zero point; offset
			// weights leave int8 (so dot4 cannot take them) when it is
			// large.
			wZP = []int64{3, -7, 100, -120}[i/4%4]
		}
		in := r.quantTensor("in", typ, []int{batches, depth}, []float32{inScale}, r.zeroPoint(typ), nil)
		weights := r.quantTensor("weights", typ, []int{units, depth}, wScales, wZP, r.filterData(typ, units*depth))
		bias := r.quantBias(units, float32(float64(float32(inScale*wScales[0]))))
		if bias != nil && i%5 == 0 {
			bias.Const = false
		}
		outScale := inScale * wScales[0] * float32(10+r.IntN(200))
		out := r.quantTensor("out", typ, []int{batches, units}, []float32{outScale}, r.zeroPoint(typ), nil)
		pool := pools[r.IntN(len(pools))]
		n := &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: []*tensor.Tensor{in, weights, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
		op, err := newFullyConnected(n, FullyConnectedOptions{Activation: r.activation()})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if usesDot4(op) {
			dot4++
		}
		name := fmt.Sprintf("case %d %s batches %d depth %d units %d wzp %d threads %d", i, typ, batches, depth, units, wZP, pool.Workers())
		checkAgainstReference(t, name, op, out)
	}
	checkDot4Ran(t, dot4)
}

// floatTensor makes a float32 tensor with values in [-1, 1); konst marks
// weights.
func (r diffRand) floatTensor(name string, shape []int, konst bool) *tensor.Tensor {
	t := convTensor(name, tensor.Float32, shape, nil, nil, nil)
	t.Const = konst
	v := t.Float32()
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return t
}

func TestFloatFastMatchesReference(t *testing.T) { forEachKernelPath(t, testFloatFastMatchesReference) }

func testFloatFastMatchesReference(t *testing.T) {
	r := diffRand{rand.New(rand.NewPCG(8, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	rows, laneCases, splitCases := 0, 0, 0
	for i := 0; i < 400; i++ {
		pool := pools[r.IntN(len(pools))]
		act := r.activation()
		batches, inH, inW, inC := r.between(1, 2), r.between(1, 10), r.between(1, 10), r.between(1, 17)
		padding := []schema.Padding{sameP, validP}[r.IntN(2)]
		sh, sw, dh, dw := r.between(1, 3), r.between(1, 3), r.between(1, 2), r.between(1, 2)
		fh, fw := r.between(1, 4), r.between(1, 4)
		outH := computeOutSize(padding, inH, fh, sh, dh)
		outW := computeOutSize(padding, inW, fw, sw, dw)
		if outH < 1 || outW < 1 {
			continue
		}
		in := r.floatTensor("in", []int{batches, inH, inW, inC}, false)
		var n *Node
		var op Op
		var err error
		var out *tensor.Tensor
		switch i % 3 {
		case 0:
			outC := r.between(1, 13)
			if r.IntN(4) == 0 {
				// Pointwise with K > 680 (summed in blocks) and enough
				// channels for every order of gemm_float_order.go.
				inH, inW, inC, fh, fw, sh, sw, dh, dw = r.between(1, 4), r.between(1, 4), r.between(600, 1500), 1, 1, 1, 1, 1, 1
				outH, outW, outC = inH, inW, r.between(1, 40)
				in = r.floatTensor("in", []int{batches, inH, inW, inC}, false)
			}
			filter := r.floatTensor("filter", []int{outC, fh, fw, inC}, true)
			bias := r.floatTensor("bias", []int{outC}, true)
			out = convTensor("out", tensor.Float32, []int{batches, outH, outW, outC}, nil, nil, nil)
			n = &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
			op, err = newConv2D(n, Conv2DOptions{Padding: padding, StrideH: sh, StrideW: sw, DilationH: dh, DilationW: dw, Activation: act})
		case 1:
			if r.IntN(2) == 0 {
				// Rows long and deep enough for the row kernels' four-pixel
				// steps and 8-channel blocks with a remainder.
				inW, inC = r.between(8, 26), r.between(8, 40)
				if outW = computeOutSize(padding, inW, fw, sw, dw); outW < 1 {
					continue
				}
				in = r.floatTensor("in", []int{batches, inH, inW, inC}, false)
			}
			outC := inC
			if r.IntN(4) == 0 {
				outC = inC * r.between(2, 5)
			}
			filter := r.floatTensor("filter", []int{1, fh, fw, outC}, true)
			var bias *tensor.Tensor
			if r.IntN(3) > 0 {
				bias = r.floatTensor("bias", []int{outC}, true)
			}
			out = convTensor("out", tensor.Float32, []int{batches, outH, outW, outC}, nil, nil, nil)
			n = &Node{Code: schema.BuiltinOperatorDEPTHWISE_CONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
			op, err = newDepthwiseConv2D(n, DepthwiseConv2DOptions{Padding: padding, StrideH: sh, StrideW: sw, DilationH: dh, DilationW: dw, Activation: act})
		default:
			depth, units := inH*inW*inC, r.between(1, 200)
			weights := r.floatTensor("weights", []int{units, depth}, true)
			bias := r.floatTensor("bias", []int{units}, true)
			out = convTensor("out", tensor.Float32, []int{batches, units}, nil, nil, nil)
			n = &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: []*tensor.Tensor{in, weights, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
			op, err = newFullyConnected(n, FullyConnectedOptions{Activation: act})
		}
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		row, lanes, split := floatAsmPaths(op)
		rows, laneCases, splitCases = rows+b2i(row), laneCases+b2i(lanes), splitCases+b2i(split)
		checkAgainstReference(t, fmt.Sprintf("case %d %s in %v threads %d", i, OpName(n.Code), in.Shape, pool.Workers()), op, out)
	}
	// The order-tail and depthwise row kernels must have run wherever the
	// machine selects SIMD (on arm64: the NEON ports), not only the Go
	// loops.
	t.Logf("%d cases on dwRowF32, %d on laneSumsF32x4, %d on splitDotF32x4x4", rows, laneCases, splitCases)
	if intSIMD() && (rows == 0 || laneCases == 0 || splitCases == 0) {
		t.Error("a float assembly path was never reached although SIMD is selected")
	}
}

// floatAsmPaths reports which assembly kernels op is prepared to use on
// its shapes: the depthwise row kernel dwRowF32, the four-lane order
// tails (laneSumsF32x4) and the even/odd split tails (splitDotF32x4x4).
// A proxy (a thread's share of rows may still fall to the Go loops), but
// zero means the path is unreachable.
func floatAsmPaths(op Op) (row, lanes, split bool) {
	var g *floatGemm
	switch o := op.(type) {
	case *depthwiseFloatFast:
		return o.rowSIMD, false, false
	case *conv2DFloatGemm:
		g = o.gemm
	case *fcFloatGemm:
		g = o.gemm
	}
	if g == nil || !g.simdTails {
		return false, false, false
	}
	if g.ord.kind != sumGEMM {
		return false, true, false
	}
	tiled := g.ord.n4 >= splitTileRows
	return false, tiled && g.ord.m4 < g.m, tiled && g.split != nil
}
