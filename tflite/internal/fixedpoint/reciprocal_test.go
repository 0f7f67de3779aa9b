package fixedpoint

import (
	"math"
	"testing"
)

func TestOneOverOnePlusXForXIn01(t *testing.T) {
	maxErr := 0.0
	for raw := int64(0); raw <= math.MaxInt32; raw += 65537 {
		x := float64(raw) / math.Ldexp(1, 31)
		got := float64(OneOverOnePlusXForXIn01(int32(raw))) / math.Ldexp(1, 31)
		maxErr = math.Max(maxErr, math.Abs(got-1/(1+x)))
	}
	if maxErr > 1e-8 {
		t.Errorf("max |1/(1+x) error| = %g, want <= 1e-8", maxErr)
	}
	if got := OneOverOnePlusXForXIn01(0); got < math.MaxInt32-2 {
		t.Errorf("1/(1+0) = %d, want ≈ MaxInt32", got)
	}
}

func TestReciprocal(t *testing.T) {
	tests := []struct {
		x       int32
		intBits int
	}{
		{1 << 19, 12},           // 1.0 in Q12
		{2 << 19, 12},           // 2.0
		{3 << 19, 12},           // 3.0
		{1001 << 19, 12},        // 1001 softmax classes all at the max
		{(1 << 19) + 12345, 12}, // just above 1
		{math.MaxInt32, 12},
		{1 << 26, 5},
		{7, 0},
	}
	for _, tc := range tests {
		scale, nbou := Reciprocal(tc.x, tc.intBits)
		real := float64(tc.x) / math.Ldexp(1, 31-tc.intBits)
		got := float64(scale) / math.Ldexp(1, 31) / math.Ldexp(1, nbou)
		if rel := math.Abs(got*real - 1); rel > 1e-8 {
			t.Errorf("Reciprocal(%d, Q%d) = %d·2^-%d ≈ %g, want 1/%g (rel err %g)", tc.x, tc.intBits, scale, nbou, got, real, rel)
		}
	}
}
