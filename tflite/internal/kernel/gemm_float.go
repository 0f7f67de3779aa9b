package kernel

// The float32 GEMM behind CONV_2D and FULLY_CONNECTED. Each output is
// Σ_k a[k]·w[k] accumulated in k order from 0, then plus bias — the order
// of TFLite's reference loops and of ours — so the packed kernel returns
// the same bits as the plain loop.
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

// cachedPackFloat packs a node's constant weights once per Model for the
// kernel the CPU runs; nil while the loader only validates.
func cachedPackFloat(n *Node, kind string, w []float32, rows, k int) *packedFloat {
	if n.Validating {
		return nil
	}
	simd := intSIMD()
	if simd {
		kind += "/simd"
	}
	return constCached(n, kind, func() *packedFloat {
		if simd {
			return packFloatSIMD(w, rows, k)
		}
		return packFloat(w, rows, k)
	})
}

// packFloatSIMD packs w ([n][k]) as [n/16][k][16], zero-padded.
func packFloatSIMD(w []float32, n, k int) *packedFloat {
	p := &packedFloat{n: n, k: k, simd: true}
	p.w16 = make([]float32, p.groups()*k*simdGroup)
	for c := 0; c < n; c++ {
		blk, ch := c/simdGroup, c%simdGroup
		for kk, v := range w[c*k : (c+1)*k] {
			p.w16[(blk*k+kk)*simdGroup+ch] = v
		}
	}
	return p
}

// packFloat packs weights w ([n][k] row-major) in the portable layout.
func packFloat(w []float32, n, k int) *packedFloat {
	p := &packedFloat{n: n, k: k}
	p.w = make([][floatGroup]float32, p.groups()*k)
	for c := 0; c < n; c++ {
		g, j := c/floatGroup, c%floatGroup
		dst := p.w[g*k : (g+1)*k]
		for kk, v := range w[c*k : (c+1)*k] {
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
}

// storeRow writes channels c0.. of one output row from sums.
func (e *floatEpilogue) storeRow(row []float32, c0 int, s []float32) {
	end := min(len(row), c0+len(s))
	s = s[:end-c0]
	bias, dst := e.bias[c0:end], row[c0:end]
	for i, v := range s {
		dst[i] = convClampFloat(v+bias[i], e.actMin, e.actMax)
	}
}

func (e *floatEpilogue) store(row []float32, c0 int, s [floatGroup]float32) {
	end := min(len(row), c0+floatGroup)
	for c := c0; c < end; c++ {
		row[c] = convClampFloat(s[c-c0]+e.bias[c], e.actMin, e.actMax)
	}
}

// gemmFloat computes rows×n outputs for channel groups [gLo, gHi).
func gemmFloat(a []float32, rows int, p *packedFloat, gLo, gHi int, e *floatEpilogue, out []float32) {
	if p.simd {
		gemmFloatSIMD(a, rows, p, gLo, gHi, e, out)
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

// floatCopy is convIm2col's widen for float32: a plain copy.
func floatCopy(dst, src []float32, _ float32) { copy(dst, src) }
