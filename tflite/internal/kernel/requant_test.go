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

// TestIntEpilogueShortRequant checks when a GEMM epilogue takes the short
// requantization: only without left shifts and right shifts past
// rqShortMaxShift, and only while 255·Σ|w| + |bias| stays under
// rqShortLimit, re-decided with every bias.
func TestIntEpilogueShortRequant(t *testing.T) {
	p := &packedInt{n: 2, absSum: []int64{1000, 2000}}
	quant := func(shift int) *convQuant {
		return &convQuant{multiplier: []int32{1 << 30, 1<<31 - 1}, shift: []int{shift, -3}, actMin: -128, actMax: 127}
	}
	limit := int32(rqShortLimit - swarMaxAbsInput*2000)
	tests := []struct {
		name      string
		shift     int
		bias      []int32
		short     bool // blocks built
		shortFits bool
	}{
		{"no bias", -5, nil, true, true},
		{"small bias", -5, []int32{-7, 100}, true, true},
		{"bias just under the bound", -5, []int32{0, limit - 1}, true, true},
		{"bias at the bound", -5, []int32{0, limit}, true, false},
		{"negative bias at the bound", -5, []int32{0, -limit}, true, false},
		{"right shift at the limit", -rqShortMaxShift, nil, true, true},
		{"right shift past the limit", -rqShortMaxShift - 1, nil, false, false},
		{"left shift", 2, nil, false, false},
	}
	for _, tt := range tests {
		e := newIntEpilogue(quant(tt.shift), p, false)
		e.setBias(tt.bias)
		if (e.short != nil) != tt.short || e.shortFits != tt.shortFits {
			t.Errorf("%s: short blocks %v, fits %v; want %v, %v", tt.name, e.short != nil, e.shortFits, tt.short, tt.shortFits)
		}
	}
}
