package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestClampF32Semantics pins the clamp to TFLite's std::min(std::max(v,
// lo), hi): −0 and NaN pass through a RELU.
func TestClampF32Semantics(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	tests := []struct {
		v, lo, hi, want float32
	}{
		{-3, 0, 6, 0},
		{7, 0, 6, 6},
		{2.5, 0, 6, 2.5},
		{negZero, 0, float32(math.Inf(1)), negZero},
		{nan, 0, 6, nan},
		{-2, -1, 1, -1},
	}
	for _, tt := range tests {
		got := clampF32(tt.v, tt.lo, tt.hi)
		if math.Float32bits(got) != math.Float32bits(tt.want) {
			t.Errorf("clampF32(%v, %v, %v) = %v (%#x), want %v (%#x)", tt.v, tt.lo, tt.hi, got, math.Float32bits(got), tt.want, math.Float32bits(tt.want))
		}
	}
}

// TestElementwiseF32PathsAgree checks the SIMD loops bit for bit against
// the scalar clamp, on lengths around the 8-lane blocks and on values
// including ±0, ±Inf and NaN.
func TestElementwiseF32PathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 6, -1, 1}
	value := func() float32 {
		if r.IntN(6) == 0 {
			return special[r.IntN(len(special))]
		}
		return float32(r.NormFloat64() * 4)
	}
	bounds := [][2]float32{{float32(math.Inf(-1)), float32(math.Inf(1))}, {0, float32(math.Inf(1))}, {0, 6}, {-1, 1}}
	for n := 0; n < 41; n++ {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], y[i] = value(), value()
		}
		for _, b := range bounds {
			lo, hi := b[0], b[1]
			ops := []struct {
				name string
				run  func(dst []float32, simd bool)
				want func(i int) float32
			}{
				{"add", func(d []float32, s bool) { addClampF32s(d, x, y, lo, hi, s) }, func(i int) float32 { return clampF32(x[i]+y[i], lo, hi) }},
				{"sub", func(d []float32, s bool) { subClampF32s(d, x, y, lo, hi, s) }, func(i int) float32 { return clampF32(x[i]-y[i], lo, hi) }},
				{"clamp", func(d []float32, s bool) { clampF32s(d, x, lo, hi, s) }, func(i int) float32 { return clampF32(x[i], lo, hi) }},
			}
			for _, op := range ops {
				for _, simd := range []bool{false, true} {
					dst := make([]float32, n)
					op.run(dst, simd)
					for i := range dst {
						if w := op.want(i); math.Float32bits(dst[i]) != math.Float32bits(w) {
							t.Fatalf("%s n=%d [%v,%v] simd=%v element %d: got %v, want %v", op.name, n, lo, hi, simd, i, dst[i], w)
						}
					}
				}
			}
		}
	}
}

// TestMaxIntoPathsAgree checks the SIMD maxima against the scalar loops:
// floats bit for bit (NaN in src skipped, in dst kept), 8-bit integers of
// both signs.
func TestMaxIntoPathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(-1)), float32(math.NaN()), -math.MaxFloat32}
	for n := 0; n < 70; n++ {
		d0, s := make([]float32, n), make([]float32, n)
		i8d, i8s := make([]int8, n), make([]int8, n)
		u8d, u8s := make([]uint8, n), make([]uint8, n)
		for i := range n {
			d0[i], s[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			if r.IntN(5) == 0 {
				s[i] = special[r.IntN(len(special))]
			}
			if r.IntN(9) == 0 {
				d0[i] = special[r.IntN(len(special))]
			}
			i8d[i], i8s[i] = int8(r.Uint32()), int8(r.Uint32())
			u8d[i], u8s[i] = uint8(r.Uint32()), uint8(r.Uint32())
		}
		want, got := append([]float32(nil), d0...), append([]float32(nil), d0...)
		maxIntoF32s(want, s, false)
		maxIntoF32s(got, s, true)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("float n=%d element %d: max(%v, %v) simd %v, scalar %v", n, i, d0[i], s[i], got[i], want[i])
			}
			if !(d0[i] < s[i]) && math.Float32bits(want[i]) != math.Float32bits(d0[i]) {
				t.Fatalf("float n=%d element %d: max(%v, %v) = %v, want dst kept", n, i, d0[i], s[i], want[i])
			}
		}
		i8w, i8g := append([]int8(nil), i8d...), append([]int8(nil), i8d...)
		maxIntoInts(i8w, i8s, false)
		maxIntoInts(i8g, i8s, true)
		u8w, u8g := append([]uint8(nil), u8d...), append([]uint8(nil), u8d...)
		maxIntoInts(u8w, u8s, false)
		maxIntoInts(u8g, u8s, true)
		for i := range n {
			if i8g[i] != i8w[i] || i8w[i] != max(i8d[i], i8s[i]) {
				t.Fatalf("int8 n=%d element %d: simd %d scalar %d, want %d", n, i, i8g[i], i8w[i], max(i8d[i], i8s[i]))
			}
			if u8g[i] != u8w[i] || u8w[i] != max(u8d[i], u8s[i]) {
				t.Fatalf("uint8 n=%d element %d: simd %d scalar %d, want %d", n, i, u8g[i], u8w[i], max(u8d[i], u8s[i]))
			}
		}
	}
}
