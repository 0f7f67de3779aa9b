package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestStoreFloatTileMatchesRows checks the AVX2 tile epilogue bit for bit
// against storeRow, with ±0, NaN and values past the clamp bounds.
func TestStoreFloatTileMatchesRows(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(2, 9))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), 7, -2}
	const n = 40
	for _, bounds := range [][2]float32{{float32(math.Inf(-1)), float32(math.Inf(1))}, {0, 6}} {
		e := &floatEpilogue{bias: make([]float32, n), actMin: bounds[0], actMax: bounds[1]}
		for i := range e.bias {
			e.bias[i] = float32(r.NormFloat64())
		}
		e.bias[3] = 0
		for rows := 1; rows <= 4; rows++ {
			var acc [4 * simdGroup]float32
			for i := range acc {
				acc[i] = float32(r.NormFloat64() * 5)
				if r.IntN(6) == 0 {
					acc[i] = special[r.IntN(len(special))]
				}
			}
			for _, c0 := range []int{0, 16, 28, 32, 36} {
				want, got := make([]float32, rows*n), make([]float32, rows*n)
				e.simd = false
				storeFloatTile(e, &acc, rows, c0, want, n)
				e.simd = true
				storeFloatTile(e, &acc, rows, c0, got, n)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("rows %d c0 %d element %d: got %v, want %v", rows, c0, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestDotF32Half4MatchesFull checks the float half-width tile against the
// 16-channel kernel bit for bit on lanes 0-7, lanes 8-15 untouched.
func TestDotF32Half4MatchesFull(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(12, 3))
	for _, k := range []int{0, 1, 3, 75, 301} {
		lda := k + r.IntN(3)
		a := make([]float32, 4*lda+1)
		for i := range a {
			a[i] = float32(r.NormFloat64())
		}
		w := make([]float32, k*simdGroup+1)
		for i := range w {
			w[i] = float32(r.NormFloat64())
		}
		var full, half [4 * simdGroup]float32
		for i := range half {
			half[i] = float32(i) + 0.5
		}
		sentinel := half
		dotF32x4x16(&a[0], uintptr(4*lda), &w[0], k, &full)
		dotF32Half4(&a[0], uintptr(4*lda), &w[0], k, &half)
		for i := range half {
			want := full[i]
			if i%simdGroup >= simdGroup/2 {
				want = sentinel[i]
			}
			if math.Float32bits(half[i]) != math.Float32bits(want) {
				t.Fatalf("k=%d lane %d: got %v, want %v", k, i, half[i], want)
			}
		}
	}
}
