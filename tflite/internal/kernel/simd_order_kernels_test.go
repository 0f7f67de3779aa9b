//go:build amd64 || arm64

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The float order-tail kernels, the float depthwise row kernel and the
// im2col run copy (AVX2 on amd64, NEON on arm64) against plain Go loops
// that spell out the order of every sum. The op-level tests reach them
// too, but with values and shapes that may not expose a changed order, a
// lane swap or a clamp that mishandles NaN and −0; these do.

// orderFloat draws a value of widely varying magnitude (so that any
// other summation order rounds differently), sometimes a special one.
func orderFloat(r *rand.Rand, special bool) float32 {
	if special && r.IntN(4) == 0 {
		return anyFloat(r)
	}
	return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
}

func TestSIMDSplitDot(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(31, 1))
	for round := 0; round < 300; round++ {
		special := round%3 == 2
		kpairs, tail := r.IntN(40), r.IntN(9)
		if round < 9 {
			kpairs, tail = round/3, round%3 // the empty loops
		}
		k := 2*kpairs + tail
		lda := k + r.IntN(3)
		a := make([]float32, splitTileRows*lda+1)
		for i := range a {
			a[i] = orderFloat(r, special)
		}
		w := make([]float32, 4*k+1) // [k][4]
		for i := range w {
			w[i] = orderFloat(r, special)
		}
		var got [splitTileRows * 4]float32
		for i := range got {
			got[i] = 42 // overwritten, also when k = 0
		}
		splitDotF32x4x4(&a[0], uintptr(4*lda), &w[0], kpairs, tail, &got)
		for row := 0; row < splitTileRows; row++ {
			for c := 0; c < 4; c++ {
				// splitDotFloat's order with the pairs given explicitly.
				x := a[row*lda : row*lda+k]
				var even, odd float32
				for kk := 0; kk < 2*kpairs; kk += 2 {
					even += float32(x[kk] * w[4*kk+c])
					odd += float32(x[kk+1] * w[4*(kk+1)+c])
				}
				want := even + odd
				for kk := 2 * kpairs; kk < k; kk++ {
					want += float32(x[kk] * w[4*kk+c])
				}
				if !sameFloat(got[row*4+c], want) {
					t.Fatalf("kpairs %d tail %d row %d channel %d: got %v, want %v", kpairs, tail, row, c, got[row*4+c], want)
				}
			}
		}
	}
}

func TestSIMDLaneSums(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(32, 1))
	for round := 0; round < 300; round++ {
		special := round%3 == 2
		quads := r.IntN(30)
		if round < 4 {
			quads = round
		}
		k := 4*quads + r.IntN(4) // the kernel reads the first 4·quads
		// Strides in elements: 0 shares the operand (gemv: one row's
		// input against four channels; GEMM tails: one channel's weights
		// against four rows).
		ws, xs := k+r.IntN(3), k+r.IntN(3)
		switch r.IntN(3) {
		case 0:
			ws = 0
		case 1:
			xs = 0
		}
		w := make([]float32, 3*ws+k+1)
		x := make([]float32, 3*xs+k+1)
		for i := range w {
			w[i] = orderFloat(r, special)
		}
		for i := range x {
			x[i] = orderFloat(r, special)
		}
		var got [16]float32
		for i := range got {
			got[i] = 42
		}
		laneSumsF32x4(&w[0], uintptr(4*ws), &x[0], uintptr(4*xs), quads, &got)
		for i := 0; i < 4; i++ {
			l, done := laneSums(w[i*ws:i*ws+k], x[i*xs:i*xs+k])
			if done != 4*quads {
				t.Fatalf("laneSums took %d of %d", done, k)
			}
			for j := range l {
				if !sameFloat(got[4*i+j], l[j]) {
					t.Fatalf("quads %d ws %d xs %d product %d lane %d: got %v, want %v", quads, ws, xs, i, j, got[4*i+j], l[j])
				}
			}
		}
	}
}

func TestSIMDDepthwiseRowFloat(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(33, 1))
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	bounds := [][2]float32{
		{float32(math.Inf(-1)), float32(math.Inf(1))}, {0, 6}, {-1, 1}, {0, float32(math.Inf(1))}, {negZero, 0},
	}
	for round := 0; round < 400; round++ {
		special := round%2 == 1
		blocks, pixels, taps := 1+r.IntN(3), r.IntN(10), 1+r.IntN(9)
		switch round { // nothing to do: nothing written
		case 0:
			taps = 0
		case 1:
			blocks = 0
		case 2:
			pixels = 0
		}
		C := 8*blocks + r.IntN(8)
		strideW := 1 + r.IntN(3)
		pxStep := strideW*C + r.IntN(2)
		// Tap offsets (bytes) from a pixel's first tap, as from a filter
		// of rows and columns; any non-negative offsets will do.
		offs := make([]int, taps)
		span := 0
		for i := range offs {
			offs[i] = 4 * (i*(C+r.IntN(3)) + r.IntN(2))
			span = max(span, offs[i]/4)
		}
		p := r.IntN(4)
		in := make([]float32, p+max(0, pixels-1)*pxStep+span+C+1)
		for i := range in {
			in[i] = orderFloat(r, special)
			if special && r.IntN(8) == 0 {
				in[i] = []float32{0, negZero, nan}[r.IntN(3)]
			}
		}
		w := make([]float32, max(1, taps*C))
		for i := range w {
			w[i] = orderFloat(r, special)
		}
		bias := make([]float32, max(1, C))
		for i := range bias {
			bias[i] = orderFloat(r, special)
			if r.IntN(6) == 0 {
				bias[i] = []float32{0, negZero, nan}[r.IntN(3)]
			}
		}
		if special {
			// Channels of zeros: bias and weights ±0, so that the sums
			// are ±0 and the clamp must keep the sign as clampF32 does.
			for c := 0; c < C; c++ {
				if r.IntN(3) > 0 {
					continue
				}
				bias[c] = []float32{0, negZero}[r.IntN(2)]
				for tp := 0; tp < taps; tp++ {
					w[tp*C+c] = []float32{0, negZero}[r.IntN(2)]
				}
			}
		}
		b := bounds[r.IntN(len(bounds))]
		lo, hi := b[0], b[1]
		dst := make([]float32, pixels*C+1)
		for i := range dst {
			dst[i] = 42
		}
		var offs0 *int
		if taps > 0 {
			offs0 = &offs[0]
		} else {
			offs0 = new(int)
		}
		dwRowF32(&in[p], offs0, taps, uintptr(4*pxStep), &w[0], uintptr(4*C), &bias[0], lo, hi, &dst[0], pixels, blocks)
		for i := range dst {
			want := float32(42)
			if px, c := i/max(C, 1), i%max(C, 1); i < pixels*C && c < 8*blocks && taps > 0 {
				// rowInterior's loop: from the bias, taps in order.
				acc := bias[c]
				for tp, off := range offs {
					acc += float32(in[p+px*pxStep+off/4+c] * w[tp*C+c])
				}
				want = clampF32(acc, lo, hi)
			}
			if !sameFloat(dst[i], want) { // bits: −0 is not +0
				t.Fatalf("blocks %d C %d pixels %d taps %d lo %v hi %v element %d: got %v (%#x), want %v (%#x)",
					blocks, C, pixels, taps, lo, hi, i, dst[i], math.Float32bits(dst[i]), want, math.Float32bits(want))
			}
		}
	}
}

// TestIm2colCopy checks the run copy byte for byte, with the bytes
// around every row and run guarded: runs of 1 to 70 bytes (each move
// size and the overlapping last move), tails of zeros, rows apart and
// overlapping source windows.
func TestIm2colCopy(t *testing.T) {
	r := rand.New(rand.NewPCG(34, 1))
	for round := 0; round < 2000; round++ {
		segs, segBytes, n, tail := 1+r.IntN(5), 1+r.IntN(70), 1+r.IntN(5), r.IntN(20)
		lda := segs*segBytes + tail + r.IntN(4) // unwritten gap after the tail
		tapStep := segBytes + r.IntN(40)
		pxStep := r.IntN(3 * segBytes)
		src := make([]byte, (n-1)*pxStep+(segs-1)*tapStep+segBytes+1)
		for i := range src {
			src[i] = byte(r.IntN(255) + 1) // never 0, to see the tail
		}
		got := make([]byte, n*lda+1)
		for i := range got {
			got[i] = 0xEE
		}
		want := append([]byte(nil), got...)
		for i := 0; i < n; i++ {
			row := want[i*lda:]
			for s := 0; s < segs; s++ {
				q := i*pxStep + s*tapStep
				copy(row[s*segBytes:(s+1)*segBytes], src[q:q+segBytes])
			}
			clear(row[segs*segBytes : segs*segBytes+tail])
		}
		im2colCopy(&got[0], uintptr(lda), &src[0], uintptr(pxStep), uintptr(tapStep), segs, segBytes, n, tail)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("segs %d segBytes %d n %d tail %d lda %d: byte %d is %#x, want %#x", segs, segBytes, n, tail, lda, i, got[i], want[i])
			}
		}
	}
}
