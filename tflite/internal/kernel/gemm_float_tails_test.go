package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloatGemmMatchesSumOrder checks floatGemm.gemm, packed kernels plus
// order tails, bit for bit against floatSumOrder.sum one output at a time
// on both kernel paths, with shapes reaching every order: the split and
// four-lane channels of a GEMM (m mod 8 from 1 to 7, rows past n4),
// matrix·vector products, K blocks, and values far apart in magnitude so
// that any change of order shows.
func TestFloatGemmMatchesSumOrder(t *testing.T) {
	forEachKernelPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(4, 27))
		shapes := [][3]int{ // m, n, k
			{12, 9, 24}, {28, 17, 24}, {13, 6, 8}, {14, 5, 7}, {15, 4, 33}, {36, 8, 32}, {42, 7, 36},
			{2, 11, 88}, {6, 9, 96}, {5, 3, 40}, {1, 9, 50}, {13, 1, 77}, {21, 1, 3}, {3, 4, 12},
			{7, 12, 1000}, {12, 5, 1400}, {5, 1, 700}, {4, 4, 9}, {20, 13, 1},
		}
		for i := 0; i < 20; i++ {
			shapes = append(shapes, [3]int{1 + r.IntN(40), 1 + r.IntN(20), 1 + r.IntN(120)})
		}
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			t.Run(fmt.Sprintf("m%d_n%d_k%d", m, n, k), func(t *testing.T) {
				w := randOrderFloats(r, m*k)
				a := randOrderFloats(r, n*k)
				node := &Node{}
				g := newFloatGemm(node, "test", w, m, k, n)
				e := &floatEpilogue{bias: randOrderFloats(r, m), actMin: float32(math.Inf(-1)), actMax: float32(math.Inf(1)), simd: intSIMD()}
				out := make([]float32, n*m)
				scratch := make([]float32, g.blockScratch(n))
				g.gemm(a, n, 0, 0, g.groups(), e, out, scratch)
				for j := 0; j < n; j++ {
					for c := 0; c < m; c++ {
						want := g.ord.sum(c, j, w[c*k:(c+1)*k], a[j*k:(j+1)*k]) + e.bias[c]
						if got := out[j*m+c]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("pixel %d channel %d: got %v, want %v", j, c, got, want)
						}
					}
				}
			})
		}
	})
}

// randOrderFloats returns values of widely different magnitudes, so that
// sums in different orders round differently.
func randOrderFloats(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
	}
	return v
}
