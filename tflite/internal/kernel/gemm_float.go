package kernel

import (
	"math"
	"strconv"
)

// The float32 GEMM behind CONV_2D and FULLY_CONNECTED. The packed kernels
// sum each output's products in k order from 0 (per K block, see
// gemm_float_order.go), then add the bias; floatGemm adds the blocks and
// recomputes the few outputs TFLite sums in another order, so the result
// has the bits of TFLite 2.2 (and of the reference loops).
//
// Every product is written float32(x*w) before it is added: Go may fuse
// x*w + acc into one FMA instruction on arm64, ppc64 and riscv64 (not on
// amd64), which rounds once instead of twice and changes the low bits. An
// explicit conversion forbids the fusion, so all architectures compute
// the bits the control plane computes on amd64.

// floatGroup is the number of output channels one packed tap holds.
const floatGroup = 4

// packedFloat is a weight matrix [n][k] packed as w[g·k+kk][j] = weight of
// channel 4g+j at tap kk; channels past n are zero. Immutable once built.
//
// The SIMD layout (simd set) is w16 = [n/16][k][16] instead.
type packedFloat struct {
	n, k int
	simd bool
	w    [][floatGroup]float32
	w16  []float32
}

func (p *packedFloat) groups() int {
	width := floatGroup
	if p.simd {
		width = simdGroup
	}
	return (p.n + width - 1) / width
}

// cachedPackFloat packs columns [k0, k1) of a node's constant weights w
// ([rows][k] row-major) once per Model for the kernel the CPU runs.
func cachedPackFloat(n *Node, kind string, w []float32, rows, k, k0, k1 int) *packedFloat {
	simd := intSIMD()
	if simd {
		kind += "/simd"
	}
	if k0 != 0 || k1 != k {
		kind += "/k" + strconv.Itoa(k0) + "-" + strconv.Itoa(k1)
	}
	return constCached(n, kind, func() *packedFloat {
		if simd {
			return packFloatSIMD(w, rows, k, k0, k1)
		}
		return packFloat(w, rows, k, k0, k1)
	})
}

// packFloatSIMD packs columns [k0, k1) of w ([n][k]) as [n/16][k1-k0][16],
// zero-padded.
func packFloatSIMD(w []float32, n, k, k0, k1 int) *packedFloat {
	p := &packedFloat{n: n, k: k1 - k0, simd: true}
	p.w16 = make([]float32, p.groups()*p.k*simdGroup)
	for c := 0; c < n; c++ {
		blk, ch := c/simdGroup, c%simdGroup
		for kk, v := range w[c*k+k0 : c*k+k1] {
			p.w16[(blk*p.k+kk)*simdGroup+ch] = v
		}
	}
	return p
}

// packFloat packs columns [k0, k1) of w ([n][k] row-major) in the
// portable layout.
func packFloat(w []float32, n, k, k0, k1 int) *packedFloat {
	p := &packedFloat{n: n, k: k1 - k0}
	p.w = make([][floatGroup]float32, p.groups()*p.k)
	for c := 0; c < n; c++ {
		g, j := c/floatGroup, c%floatGroup
		dst := p.w[g*p.k : (g+1)*p.k]
		for kk, v := range w[c*k+k0 : c*k+k1] {
			dst[kk][j] = v
		}
	}
	return p
}

// float2x4 returns two rows' sums for one channel group.
func float2x4(a0, a1 []float32, b [][floatGroup]float32) (s0, s1 [floatGroup]float32) {
	a1 = a1[:len(a0)]
	b = b[:len(a0)]
	var s00, s01, s02, s03, s10, s11, s12, s13 float32
	for k, x0 := range a0 {
		w := &b[k]
		x1 := a1[k]
		s00 += float32(x0 * w[0])
		s01 += float32(x0 * w[1])
		s02 += float32(x0 * w[2])
		s03 += float32(x0 * w[3])
		s10 += float32(x1 * w[0])
		s11 += float32(x1 * w[1])
		s12 += float32(x1 * w[2])
		s13 += float32(x1 * w[3])
	}
	return [floatGroup]float32{s00, s01, s02, s03}, [floatGroup]float32{s10, s11, s12, s13}
}

// float1x4 is float2x4 for one row.
func float1x4(a0 []float32, b [][floatGroup]float32) [floatGroup]float32 {
	b = b[:len(a0)]
	var s0, s1, s2, s3 float32
	for k, x := range a0 {
		w := &b[k]
		s0 += float32(x * w[0])
		s1 += float32(x * w[1])
		s2 += float32(x * w[2])
		s3 += float32(x * w[3])
	}
	return [floatGroup]float32{s0, s1, s2, s3}
}

// floatEpilogue adds the bias and clamps to the activation range.
type floatEpilogue struct {
	bias           []float32 // n entries, zeros without bias
	actMin, actMax float32
	simd           bool // addClampF32s may use its SIMD loop
}

// storeRow writes channels c0.. of one output row from sums.
func (e *floatEpilogue) storeRow(row []float32, c0 int, s []float32) {
	end := min(len(row), c0+len(s))
	addClampF32s(row[c0:end], s, e.bias[c0:end], e.actMin, e.actMax, e.simd)
}

func (e *floatEpilogue) store(row []float32, c0 int, s [floatGroup]float32) {
	end := min(len(row), c0+floatGroup)
	for c := c0; c < end; c++ {
		row[c] = clampF32(s[c-c0]+e.bias[c], e.actMin, e.actMax)
	}
}

// floatGemm is the constant part of a float32 product out (cols × m) =
// a (cols × k) · wᵀ: TFLite's summation order for it, the weights packed
// per K block of that order, and the weights themselves for the outputs
// the packed kernels do not sum in that order.
type floatGemm struct {
	m, k  int
	ord   floatSumOrder
	w     []float32      // [m][k] row-major
	packs []*packedFloat // GEMM order only: one per K block
	width int            // channels per packed group
	raw   floatEpilogue  // K blocks: no bias, no clamp
	// simdTails selects orderTails' assembly kernels (AVX2, NEON) for
	// the outputs not in k order; split holds the split channels' weights
	// for them (packSplit), nil when there are none.
	simdTails bool
	split     []float32
}

// newFloatGemm prepares the product of cols rows of a by constant weights
// w; nil while the loader only validates.
func newFloatGemm(n *Node, kind string, w []float32, m, k, cols int) *floatGemm {
	if n.Validating {
		return nil
	}
	g := &floatGemm{m: m, k: k, ord: newFloatSumOrder(m, cols, k), w: w, width: floatGroup}
	if intSIMD() {
		g.width = simdGroup
	}
	g.simdTails = floatTailSIMD()
	if g.ord.kind != sumGEMM {
		return g
	}
	if g.simdTails && g.ord.m4 > g.ord.m8 {
		g.split = constCached(n, kind+"/split", func() []float32 { return packSplit(w, k, g.ord.m8) })
	}
	for k0 := 0; k0 < k; k0 += g.ord.kc {
		g.packs = append(g.packs, cachedPackFloat(n, kind, w, m, k, k0, min(k0+g.ord.kc, k)))
	}
	if len(g.packs) > 1 {
		g.raw = floatEpilogue{bias: make([]float32, m), actMin: float32(math.Inf(-1)), actMax: float32(math.Inf(1)), simd: intSIMD()}
	}
	return g
}

// groups returns the number of channel groups the work is split by.
func (g *floatGemm) groups() int { return (g.m + g.width - 1) / g.width }

// blockScratch is the scratch gemm needs for rows rows: a K block of a and
// one block's sums. Zero when K is not blocked.
func (g *floatGemm) blockScratch(rows int) int {
	if len(g.packs) < 2 {
		return 0
	}
	return rows * (g.ord.kc + g.m)
}

// gemm computes channel groups [gLo, gHi) of rows rows of the output from
// rows rows of a; j0 is the index of the first row among the product's
// cols (pixels or batch rows). scratch holds blockScratch(rows) floats.
func (g *floatGemm) gemm(a []float32, rows, j0, gLo, gHi int, e *floatEpilogue, out, scratch []float32) {
	m, k := g.m, g.k
	cLo, cHi := gLo*g.width, min(m, gHi*g.width)
	if g.ord.kind != sumGEMM {
		if g.simdTails {
			g.lanes(a, rows, cLo, cHi, true, e, out)
			return
		}
		g.byOrder(a, rows, j0, cLo, cHi, e, out)
		return
	}
	// Rows below n4 take channels from m8 on from the order tails, so the
	// packed kernels may leave them out there.
	rows4 := min(rows, max(0, g.ord.n4-j0))
	if len(g.packs) == 1 {
		if g.simdTails && g.ord.m8 < m && rows4 > 0 {
			gemmFloatPacked(a, rows4, g.packs[0], gLo, gHi, g.ord.m8, e, out)
			gemmFloatPacked(a[rows4*k:], rows-rows4, g.packs[0], gLo, gHi, m, e, out[rows4*m:])
		} else {
			gemmFloatPacked(a, rows, g.packs[0], gLo, gHi, m, e, out)
		}
	} else {
		// Each K block is summed from zero and added to the output in
		// block order, then the bias is added.
		sa, part := scratch[:rows*g.ord.kc], scratch[rows*g.ord.kc:rows*(g.ord.kc+m)]
		for b, p := range g.packs {
			k0, kb := b*g.ord.kc, p.k
			for r := 0; r < rows; r++ {
				copy(sa[r*kb:(r+1)*kb], a[r*k+k0:r*k+k0+kb])
			}
			if b == 0 {
				gemmFloatPacked(sa[:rows*kb], rows, p, gLo, gHi, m, &g.raw, out)
				continue
			}
			gemmFloatPacked(sa[:rows*kb], rows, p, gLo, gHi, m, &g.raw, part)
			for r := 0; r < rows; r++ {
				dst, src := out[r*m+cLo:r*m+cHi], part[r*m+cLo:r*m+cHi]
				for c := range dst {
					dst[c] += src[c]
				}
			}
		}
		for r := 0; r < rows; r++ {
			e.storeRow(out[r*m:(r+1)*m], cLo, out[r*m+cLo:r*m+cHi])
		}
	}
	// The last m mod 8 channels of all but the last n mod 4 rows add in
	// another order.
	if cHi > g.ord.m8 {
		if g.simdTails {
			g.orderTails(a, rows4, j0, cLo, cHi, e, out)
		} else {
			g.byOrder(a, rows4, j0, max(cLo, g.ord.m8), cHi, e, out)
		}
	}
}

// byOrder computes channels [cLo, cHi) of rows rows one output at a time
// with floatSumOrder.sum.
func (g *floatGemm) byOrder(a []float32, rows, j0, cLo, cHi int, e *floatEpilogue, out []float32) {
	m, k := g.m, g.k
	for r := 0; r < rows; r++ {
		x := a[r*k : (r+1)*k]
		row := out[r*m : (r+1)*m]
		for c := cLo; c < cHi; c++ {
			row[c] = clampF32(g.ord.sum(c, j0+r, g.w[c*k:(c+1)*k], x)+e.bias[c], e.actMin, e.actMax)
		}
	}
}

// gemmFloatPacked computes rows×n outputs for channel groups [gLo, gHi),
// summing in k order. Channels from live on are left to the caller: the
// SIMD kernels may skip them or store anything there.
func gemmFloatPacked(a []float32, rows int, p *packedFloat, gLo, gHi, live int, e *floatEpilogue, out []float32) {
	if p.simd {
		gemmFloatSIMD(a, rows, p, gLo, gHi, live, e, out)
		return
	}
	k, n := p.k, p.n
	for g := gLo; g < gHi; g++ {
		b := p.w[g*k : (g+1)*k]
		c0 := g * floatGroup
		r := 0
		for ; r+2 <= rows; r += 2 {
			s0, s1 := float2x4(a[r*k:(r+1)*k], a[(r+1)*k:(r+2)*k], b)
			e.store(out[r*n:(r+1)*n], c0, s0)
			e.store(out[(r+1)*n:(r+2)*n], c0, s1)
		}
		if r < rows {
			e.store(out[r*n:(r+1)*n], c0, float1x4(a[r*k:(r+1)*k], b))
		}
	}
}

// floatCopy is convRows' widen for float32: a plain copy.
func floatCopy(dst, src []float32, _ float32) { copy(dst, src) }
