package fixedpoint

import (
	"math"
	"testing"
)

// TestExpOnNegativeValuesAccuracy sweeps every input step of 2^-13 over
// [-32, 0] in several Q formats and checks the result against math.Exp.
// gemmlowp documents its exp as accurate to a few Q0.31 ulps relative to
// the result; 1e-6 absolute is what its own tests accept.
func TestExpOnNegativeValuesAccuracy(t *testing.T) {
	for _, intBits := range []int{1, 2, 3, 4, 5, 6, 8, 12} {
		fracBits := 31 - intBits
		lo := -math.Min(32, math.Ldexp(1, intBits)-1/math.Ldexp(1, fracBits))
		step := math.Ldexp(1, -13)
		if fracBits < 13 {
			step = math.Ldexp(1, -fracBits)
		}
		maxErr := 0.0
		for v := lo; v <= 0; v += step {
			raw := int32(math.Round(v * math.Ldexp(1, fracBits)))
			got := float64(ExpOnNegativeValues(raw, intBits)) / math.Ldexp(1, 31)
			want := math.Exp(float64(raw) / math.Ldexp(1, fracBits))
			maxErr = math.Max(maxErr, math.Abs(got-want))
			if got < 0 || got > 1 {
				t.Fatalf("Q%d: exp(%g) = %g out of [0,1]", intBits, v, got)
			}
		}
		if maxErr > 1e-6 {
			t.Errorf("Q%d: max |exp error| = %g, want <= 1e-6", intBits, maxErr)
		}
	}
}

// TestExpOnNegativeValuesMonotonic checks every Q5.26 raw value in the last
// 2^22 steps below zero and a strided sweep of the rest: the approximation
// must never decrease as the input grows.
func TestExpOnNegativeValuesMonotonic(t *testing.T) {
	prev := int32(-1)
	check := func(raw int32) {
		got := ExpOnNegativeValues(raw, 5)
		if got < prev {
			t.Fatalf("exp not monotonic at raw %d: %d < %d", raw, got, prev)
		}
		prev = got
	}
	for raw := int32(math.MinInt32); raw < -(1 << 22); raw += 997 {
		check(raw)
	}
	for raw := int32(-(1 << 22)); raw <= 0; raw++ {
		check(raw)
	}
}

func TestExpOnNegativeValuesExact(t *testing.T) {
	tests := []struct {
		name    string
		raw     int32
		intBits int
		want    int32
	}{
		{"zero is one", 0, 5, math.MaxInt32},
		// Large negative inputs underflow to zero in Q6 and above.
		{"below -32 in Q6", -(33 << 25), 6, 0},
	}
	for _, tc := range tests {
		if got := ExpOnNegativeValues(tc.raw, tc.intBits); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}
