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
			for _, c0 := range []int{0, 16} {
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
