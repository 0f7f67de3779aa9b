package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
)

func TestRequantizerMatchesFixedpoint(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	xs := []int32{0, 1, -1, 2, -2, 3, -3, 1 << 20, -(1 << 20), math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1}
	for i := 0; i < 2000; i++ {
		xs = append(xs, int32(r.Uint32()), int32(r.IntN(1<<16))-1<<15)
	}
	for i := 0; i < 300; i++ {
		real := math.Ldexp(0.5+r.Float64()/2, r.IntN(40)-31)
		m, shift := fixedpoint.QuantizeMultiplier(real)
		q := newRequantizer(m, shift)
		for _, x := range xs {
			want := fixedpoint.MultiplyByQuantizedMultiplier(x, m, shift)
			if got := q.apply(x); got != want {
				t.Fatalf("multiplier %d shift %d x %d: got %d, want %d", m, shift, x, got, want)
			}
		}
	}
}
