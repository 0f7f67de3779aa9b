package kernel

// This file is the portable integer GEMM behind quantized CONV_2D and
// FULLY_CONNECTED: out[r][c] = requantize(Σ_k a[r][k]·w[c][k] + bias[c]).
//
// Both operands carry their zero-point offsets already (a = input +
// inputOffset, w = filter + filterOffset, each in [-255, 255]), so the
// sum is exactly TFLite's accumulator. Padding taps are a = 0 and add
// nothing, as in TFLite, where padded cells equal the input zero point.
// (The dot4 layout for int8 on CPUs with an int8 dot product differs:
// see gemm_int_dot4.go and intEpilogue.fold.)
//
// Go has no portable SIMD, so the kernel packs two output channels into
// one int64 ("SIMD within a register"): word = w[c] + w[c+1]·2³², and
// a·word = a·w[c] + (a·w[c+1])·2³². Summing such products over k gives
// L + H·2³², L and H being the two channels' sums. As long as |L| < 2³¹,
// L is the low 32 bits read as int32 and H = (word − L) >> 32 exactly, so
// one 64-bit multiply does two exact multiply-accumulates. packInt checks
// the bound (255·Σ|w| < 2³¹) per channel; a filter that could break it
// (k ≳ 33000) is left to the reference loop.

// intGroup is the number of output channels one packed tap holds in the
// portable layout: two int64 words of two 32-bit lanes.
const intGroup = 4

// simdGroup is the number of output channels per block of the SIMD layout.
const simdGroup = 16

// packedInt is a quantized weight matrix [n][k] in a kernel's layout.
// Portable: words[g·k+kk] holds tap kk of channels 4g..4g+3, channel 4g+j
// in word j/2, lane j%2. SIMD: [n/16][k/2][16][2], taps padded to an even
// count, in w8 (int8) when every offset weight fits, else w16 (int16, for
// uint8 filters with a zero point). dot4: [n/16][k/4][16][4] in w8, taps
// padded to a multiple of 4. Channels past n and padding taps are zero.
// Immutable once built.
type packedInt struct {
	n, k  int
	lda   int  // row stride of A the kernel reads: k rounded up to the layout's taps per group
	simd  bool // a 16-channel layout for the SIMD kernels
	dot4  bool // the dot4 layout: A rows are raw int8 input (gemmIntDot4)
	words [][2]int64
	w16   []int16
	w8    []int8
	// wsum is Σ_k w[c][k] (with the filter offset) per channel for the
	// dot4 layout, whose kernels leave out the input offset; see
	// newIntEpilogue.
	wsum []int32
	// absSum is Σ_k |w[c][k]| (with the filter offset) per channel of
	// the original filter, which bounds the accumulators (see
	// intEpilogue.setBias); nil when unknown.
	absSum []int64
}

// groupWidth is the number of channels per group of this layout.
func (p *packedInt) groupWidth() int {
	if p.simd {
		return simdGroup
	}
	return intGroup
}

// groups returns the number of channel groups.
func (p *packedInt) groups() int { return (p.n + p.groupWidth() - 1) / p.groupWidth() }

// cachedPackInt packs a node's weights once per Model for the kernel the
// CPU runs (see intSIMD, intDot4); nil means only the reference loop can
// run them (or must: while validating, or with LowMemory). The caller
// builds A rows for the layout: int16 with the input offset, or raw int8
// when p.dot4.
func cachedPackInt[T quantElem](n *Node, kind string, w []T, rows, k int, filterOffset int32) *packedInt {
	if n.Validating || n.LowMemory {
		return nil
	}
	if useDot4(w[:rows*k], filterOffset) {
		return constCached(n, kind+"/dot4", func() *packedInt {
			return packIntSIMD(w, rows, k, filterOffset, 4)
		})
	}
	simd := intSIMD()
	if simd {
		kind += "/simd"
	}
	return constCached(n, kind, func() *packedInt {
		if simd {
			return packIntSIMD(w, rows, k, filterOffset, 2)
		}
		p, ok := packInt(w, rows, k, filterOffset)
		if !ok {
			return nil
		}
		return p
	})
}

// useDot4 reports whether weights w of an int8 model (T int8) with
// filterOffset added get the dot4 layout: the CPU has an int8 dot product
// (intDot4) and every offset weight fits int8, as it does for symmetric
// filters.
func useDot4[T quantElem](w []T, filterOffset int32) bool {
	return !isUnsigned[T]() && intDot4() && (filterOffset == 0 || offsetFitsInt8(w, filterOffset))
}

// offsetFitsInt8 reports whether every w + filterOffset lies in int8.
func offsetFitsInt8[T quantElem](w []T, filterOffset int32) bool {
	for _, v := range w {
		if o := int32(v) + filterOffset; o < -128 || o > 127 {
			return false
		}
	}
	return true
}

// packInt16Below is the weight count under which the int16 kernels keep
// int16 weights even when every offset weight fits int8: sign-extending
// them costs two µops per 16 weights per tile step, 4-7% of a
// convolution on Zen 1, while the small matrices (all but the largest
// layers: 0.65 MiB more for mobilenet_v2) cost little memory doubled.
const packInt16Below = 64 << 10

// packIntSIMD packs w ([n][k]) with filterOffset added in a 16-channel
// layout of taps taps per group: 2 for the SMLAL/VPMADDWD kernels, 4 for
// dot4 (int8 weights only; this also fills p.wsum). The 32-bit
// accumulators of both wrap exactly as TFLite's, so no bound applies.
func packIntSIMD[T quantElem](w []T, n, k int, filterOffset int32, taps int) *packedInt {
	return packIntSIMDAs(w, n, k, filterOffset, taps, taps == 4 || (n*k >= packInt16Below && offsetFitsInt8(w[:n*k], filterOffset)))
}

// packIntSIMDAs is packIntSIMD with the weights' width chosen by the
// caller: int8 (fitsInt8, which every offset weight must fit) or int16.
func packIntSIMDAs[T quantElem](w []T, n, k int, filterOffset int32, taps int, fitsInt8 bool) *packedInt {
	p := &packedInt{n: n, k: k, lda: (k + taps - 1) / taps * taps, simd: true, dot4: taps == 4}
	kg := p.lda / taps
	size := p.groups() * kg * simdGroup * taps
	if fitsInt8 {
		p.w8 = make([]int8, size)
	} else {
		p.w16 = make([]int16, size)
	}
	if p.dot4 {
		p.wsum = make([]int32, n)
	}
	p.absSum = make([]int64, n)
	for c := 0; c < n; c++ {
		blk, ch := c/simdGroup, c%simdGroup
		var sum int32
		for kk, v := range w[c*k : (c+1)*k] {
			o := int32(v) + filterOffset
			sum += o
			p.absSum[c] += int64(max(o, -o))
			i := ((blk*kg+kk/taps)*simdGroup+ch)*taps + kk%taps
			if fitsInt8 {
				p.w8[i] = int8(o)
			} else {
				p.w16[i] = int16(o)
			}
		}
		if p.dot4 {
			p.wsum[c] = sum
		}
	}
	return p
}

// swarMaxAbsInput bounds |a| = |input + inputOffset| for int8 and uint8.
const swarMaxAbsInput = 255

// packInt packs weights w ([n][k] row-major) with filterOffset added. It
// returns false when some channel could overflow a 32-bit lane.
func packInt[T quantElem](w []T, n, k int, filterOffset int32) (*packedInt, bool) {
	p := &packedInt{n: n, k: k, lda: k}
	p.words = make([][2]int64, p.groups()*k)
	for c := 0; c < n; c++ {
		g, j := c/intGroup, c%intGroup
		word, shift := j/2, 32*(j%2)
		dst := p.words[g*k : (g+1)*k]
		var absSum int64
		for kk, v := range w[c*k : (c+1)*k] {
			wv := int64(int32(v) + filterOffset)
			absSum += max(wv, -wv)
			dst[kk][word] += wv << shift
		}
		if absSum*swarMaxAbsInput >= 1<<31 {
			return nil, false
		}
		p.absSum = append(p.absSum, absSum)
	}
	return p, true
}

// swarLanes splits a packed sum into its low and high channel sums.
func swarLanes(s int64) (lo, hi int32) {
	lo = int32(s)
	hi = int32((s - int64(lo)) >> 32)
	return lo, hi
}

// swar3x4 returns, for three input rows, the packed sums of one channel
// group. Three rows keep the twelve live values in registers on amd64.
func swar3x4(a0, a1, a2 []int16, b [][2]int64) (s00, s01, s10, s11, s20, s21 int64) {
	a1 = a1[:len(a0)]
	a2 = a2[:len(a0)]
	b = b[:len(a0)]
	for k, x := range a0 {
		w0, w1 := b[k][0], b[k][1]
		x0, x1, x2 := int64(x), int64(a1[k]), int64(a2[k])
		s00 += x0 * w0
		s01 += x0 * w1
		s10 += x1 * w0
		s11 += x1 * w1
		s20 += x2 * w0
		s21 += x2 * w1
	}
	return
}

// swar1x4 is swar3x4 for one row.
func swar1x4(a0 []int16, b [][2]int64) (s0, s1 int64) {
	b = b[:len(a0)]
	for k, x := range a0 {
		x0 := int64(x)
		s0 += x0 * b[k][0]
		s1 += x0 * b[k][1]
	}
	return
}

// intEpilogue turns accumulators into output values: bias, per-channel
// fixed-point multiplier, output zero point, activation clamp.
type intEpilogue struct {
	q    *convQuant
	rq   []requantizer // per channel, from q
	bias []int32       // n entries: the op's bias (zeros if none) + fold
	// fold is (inputOffset − dot4InputBias)·Σ_k w[c][k] per channel for
	// the dot4 layout, nil for the others. The dot4 kernels sum
	// Σ (a + dot4InputBias)·w over the raw input a, and
	// Σ (a + inputOffset)·w = Σ (a + dot4InputBias)·w + fold exactly
	// modulo 2³², which is all an int32 accumulator keeps (as biasAll in
	// depthwise_fast.go).
	fold []int32
	// blocks and rc are the same parameters for the SIMD requantizer,
	// per block of 16 channels (the last one padded).
	blocks []rqBlock
	rc     rqConsts
	// short holds the short requantization's blocks (requant_short.go)
	// when the channels allow it, nil otherwise; shortFits says whether
	// the current bias keeps the sums within its bound (setBias), from
	// absSum, the packed weights' Σ|w| per channel.
	short     []rqShortBlock
	shortFits bool
	absSum    []int64
}

// newIntEpilogue prepares the epilogue of the p.n channels of p's
// kernel, without a bias until setBias; unsigned marks uint8 outputs.
func newIntEpilogue(q *convQuant, p *packedInt, unsigned bool) intEpilogue {
	e := intEpilogue{q: q, rq: requantizers(q), bias: make([]int32, p.n), absSum: p.absSum}
	if p.absSum != nil && rqShortUsable(e.rq) {
		e.short = newRQShortBlocks(p.n, forBlockLanes, e.rq, q.outputOffset)
	}
	e.rc = rqConsts{outOff: q.outputOffset, actMin: q.actMin, actMax: q.actMax}
	if unsigned {
		e.rc.unsigned = 1
	}
	e.blocks = newRQBlocks(e.rq, nil)
	e.rc.setShifts(e.blocks)
	if p.dot4 {
		e.fold = make([]int32, p.n)
		for c, s := range p.wsum {
			e.fold[c] = (q.inputOffset - dot4InputBias) * s
		}
	}
	e.setBias(nil)
	return e
}

// setBias installs the op's bias (nil: none), plus the fold, in every
// parameter set, and decides whether the short requantization may run:
// |acc + bias| ≤ 255·Σ|w| + |bias| per channel, as every input plus its
// offset lies in [−255, 255]. A bias computed at run time comes through
// here on every Eval, so neither the fold nor the bound is lost.
func (e *intEpilogue) setBias(b []int32) {
	for c := range e.bias {
		var v int32
		if b != nil {
			v = b[c]
		}
		if e.fold != nil {
			v += e.fold[c]
		}
		e.bias[c] = v
		if c/16 < len(e.blocks) {
			e.blocks[c/16].bias[c%16] = v
		}
		if e.short != nil {
			e.short[c/16].bias[c%16] = v
		}
	}
	e.shortFits = e.short != nil && rqShortSumsFit(b, e.absSum, swarMaxAbsInput)
}

// storeGroup writes the (up to) four channels c0.. of one output row.
func storeGroup[T quantElem](e *intEpilogue, row []T, c0 int, s0, s1 int64) {
	l0, h0 := swarLanes(s0)
	l1, h1 := swarLanes(s1)
	acc := [intGroup]int32{l0, h0, l1, h1}
	q := e.q
	end := min(len(row), c0+intGroup)
	for c := c0; c < end; c++ {
		v := e.rq[c].apply(acc[c-c0] + e.bias[c])
		row[c] = T(convClamp(v+q.outputOffset, q.actMin, q.actMax))
	}
}

// gemmInt computes rows×n outputs for channel groups [gLo, gHi): a holds
// rows rows of k values at stride p.lda, out rows rows of n values.
func gemmInt[T quantElem](a []int16, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	if p.dot4 {
		panic("kernel: dot4-packed weights need int8 rows (gemmIntDot4)")
	}
	if p.simd {
		gemmIntSIMD(a, rows, p, gLo, gHi, e, out)
		return
	}
	k, n := p.k, p.n
	for g := gLo; g < gHi; g++ {
		b := p.words[g*k : (g+1)*k]
		c0 := g * intGroup
		r := 0
		for ; r+3 <= rows; r += 3 {
			s00, s01, s10, s11, s20, s21 := swar3x4(a[r*k:(r+1)*k], a[(r+1)*k:(r+2)*k], a[(r+2)*k:(r+3)*k], b)
			storeGroup(e, out[r*n:(r+1)*n], c0, s00, s01)
			storeGroup(e, out[(r+1)*n:(r+2)*n], c0, s10, s11)
			storeGroup(e, out[(r+2)*n:(r+3)*n], c0, s20, s21)
		}
		for ; r < rows; r++ {
			s0, s1 := swar1x4(a[r*k:(r+1)*k], b)
			storeGroup(e, out[r*n:(r+1)*n], c0, s0, s1)
		}
	}
}
