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

// TestRequantizerShortForm checks the short form against TFLite's
// arithmetic wherever setShort allows it (|x·2^left| < 2³⁰, normalized
// multipliers), on random values and on every x of small ranges, where
// multipliers with trailing zero bits produce exact ties in both
// roundings.
func TestRequantizerShortForm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 2))
	check := func(m int32, shift int, x int32) {
		t.Helper()
		q := newRequantizer(m, shift)
		if x<<q.left >= shortLimit || x<<q.left <= -shortLimit || int64(x)<<q.left != int64(x<<q.left) {
			return
		}
		want := fixedpoint.MultiplyByQuantizedMultiplier(x, m, shift)
		if got := q.short(x); got != want {
			t.Fatalf("multiplier %d shift %d x %d: got %d, want %d", m, shift, x, got, want)
		}
	}
	for i := 0; i < 2000; i++ {
		real := math.Ldexp(0.5+r.Float64()/2, r.IntN(40)-31)
		m, shift := fixedpoint.QuantizeMultiplier(real)
		for j := 0; j < 500; j++ {
			check(m, shift, int32(r.IntN(2*shortLimit)-shortLimit))
			check(m, shift, int32(r.IntN(1<<16)-1<<15))
		}
	}
	for _, m := range []int32{1 << 30, 1<<30 + 1<<29, 1<<30 + 3<<25, 1<<30 + 1, math.MaxInt32} {
		for shift := -13; shift <= 3; shift++ {
			for x := int32(-20000); x <= 20000; x++ {
				check(m, shift, x)
			}
		}
		check(m, -31, shortLimit-1)
		check(m, -31, -shortLimit+1)
	}
}

// TestSetShort checks when the short form is allowed.
func TestSetShort(t *testing.T) {
	rq := []requantizer{newRequantizer(1<<30, -3), newRequantizer(1<<31-1, 2)}
	tests := []struct {
		name   string
		rq     []requantizer
		maxAbs []int64
		want   int32
	}{
		{"bounded", rq, []int64{shortLimit - 1, shortLimit/4 - 1}, 1},
		{"left shift reaches the limit", rq, []int64{5, shortLimit / 4}, 0},
		{"at the limit", rq, []int64{shortLimit, 5}, 0},
		{"no bound", rq, nil, 0},
		{"unnormalized multiplier", []requantizer{newRequantizer(1<<29, 0)}, []int64{1}, 0},
	}
	for _, tt := range tests {
		var c rqConsts
		c.setShort(tt.rq, tt.maxAbs)
		if c.short != tt.want {
			t.Errorf("%s: short = %d, want %d", tt.name, c.short, tt.want)
		}
	}
}
