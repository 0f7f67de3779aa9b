package fixedpoint

import (
	"math"
	"testing"
)

// TestInt16OpsExhaustive checks the int16 helpers on every input against
// wide-integer (int64) definitions: a·b·2/2^16 rounded half up for the
// rounding multiply, truncated for the plain one; x/2^e rounded half away
// from zero.
func TestInt16OpsExhaustive(t *testing.T) {
	bs := []int16{math.MinInt16, -32767, -12345, -256, -1, 0, 1, 2, 255, 3, 16383, 16384, 32767, 21846, -21846}
	for a := math.MinInt16; a <= math.MaxInt16; a++ {
		for _, b := range bs {
			// 2ab/2^16 as an exact fraction p/2^16.
			p := 2 * int64(a) * int64(b)
			var wantR, wantT int64
			if a == math.MinInt16 && b == math.MinInt16 {
				wantR, wantT = math.MaxInt16, math.MaxInt16
			} else {
				// Rounding to nearest; gemmlowp's ties go up for positive
				// products and toward zero for negative ones.
				if p >= 0 {
					wantR = floorDiv(p+1<<15, 1<<16)
				} else {
					wantR = -floorDiv(-p+1<<15-1, 1<<16)
				}
				wantT = p / (1 << 16) // Go truncates toward zero
			}
			if got := SaturatingRoundingDoublingHighMul16(int16(a), b); int64(got) != wantR {
				t.Fatalf("SRDHM16(%d, %d) = %d, want %d", a, b, got, wantR)
			}
			if got := SaturatingDoublingHighMul16(int16(a), b); int64(got) != wantT {
				t.Fatalf("SDHM16(%d, %d) = %d, want %d", a, b, got, wantT)
			}
		}
		for e := 0; e <= 15; e++ {
			// Half away from zero: |a|/2^e rounded, sign restored.
			mag := floorDiv(abs64(int64(a))+(1<<e)/2, 1<<e)
			if e == 0 {
				mag = abs64(int64(a))
			}
			want := mag
			if a < 0 {
				want = -mag
			}
			if got := RoundingDivideByPOT16(int16(a), e); int64(got) != want {
				t.Fatalf("RoundingDivideByPOT16(%d, %d) = %d, want %d", a, e, got, want)
			}
		}
		for _, s := range []int{0, 1, 3, 7, 15} {
			want := min(max(int64(a)<<s, math.MinInt16), math.MaxInt16)
			if got := SaturatingLeftShift16(int16(a), s); int64(got) != want {
				t.Fatalf("SaturatingLeftShift16(%d, %d) = %d, want %d", a, s, got, want)
			}
		}
	}
}

func floorDiv(x, y int64) int64 {
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestDownScaleInt32ToInt16Multiplier(t *testing.T) {
	tests := []struct {
		in   int32
		want int16
	}{
		{0, 0},
		{1 << 30, 1 << 14},
		{(1 << 30) + (1 << 15), (1 << 14) + 1}, // tie rounds up
		{(1 << 30) + (1 << 15) - 1, 1 << 14},
		{math.MaxInt32, math.MaxInt16},
		{math.MaxInt32 - (1 << 15), math.MaxInt16},
	}
	for _, tc := range tests {
		if got := DownScaleInt32ToInt16Multiplier(tc.in); got != tc.want {
			t.Errorf("DownScaleInt32ToInt16Multiplier(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
