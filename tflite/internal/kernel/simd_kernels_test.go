//go:build amd64 || arm64

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
)

// Each assembly entry point (AVX2 on amd64, NEON on arm64; the names and
// contracts are shared) against a plain Go loop on random and extreme
// inputs: widths that leave remainders, k = 1, 2, 3 and large k, sums
// that wrap int32. The ops' tests (fast_diff_test.go) then check them in
// place against the reference kernels.

// skipNoSIMD skips when the CPU (or EDGEFLEET_TFLITE_NOSIMD) rules the
// assembly out.
func skipNoSIMD(t *testing.T) {
	t.Helper()
	if !intSIMD() {
		t.Skip("SIMD kernels not selected on this machine")
	}
}

// operand draws an int16 operand in [-lim, lim], the extremes often.
func operand(r *rand.Rand, lim int) int16 {
	switch r.IntN(6) {
	case 0:
		return int16(lim)
	case 1:
		return int16(-lim)
	}
	return int16(r.IntN(2*lim+1) - lim)
}

// anyInt32 draws an int32 that is often an edge value.
func anyInt32(r *rand.Rand) int32 {
	switch r.IntN(4) {
	case 0:
		return []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MaxInt32 - 1, math.MinInt32 + 1}[r.IntN(7)]
	case 1:
		return int32(r.Uint32())
	}
	return int32(r.IntN(1<<20)) - 1<<19
}

func TestSIMDDotKernels(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(21, 1))
	for _, kp := range []int{0, 1, 2, 3, 4, 5, 8, 17, 100, 40000} {
		for _, w8 := range []bool{false, true} {
			for _, extreme := range []bool{false, true} {
				wlim := 255
				if w8 {
					wlim = 127
				}
				lda := 2*kp + 2*r.IntN(3) // the kernels read 2·kp of each row
				a := make([]int16, 4*lda+2)
				for i := range a {
					a[i] = operand(r, 255)
				}
				// One spare element keeps &b[0] valid for kpairs 0.
				b16 := make([]int16, kp*simdGroup*2+1)
				b8 := make([]int8, kp*simdGroup*2+1)
				for i := range b16 {
					v := operand(r, wlim)
					if w8 && r.IntN(8) == 0 {
						v = -128
					}
					b16[i], b8[i] = v, int8(v)
				}
				if extreme {
					// Every product is ±255·255 (±255·128 for int8), so
					// the 80000-tap sums wrap int32 several times.
					for i := range a {
						a[i] = 255 - 510*int16(i/max(lda, 1)%2)
					}
					for i := range b16 {
						b16[i], b8[i] = int16(wlim), int8(wlim)
						if w8 {
							b16[i], b8[i] = -128, -128
						}
					}
				}
				var want [4 * simdGroup]int32
				for row := 0; row < 4; row++ {
					for c := 0; c < simdGroup; c++ {
						var s int32
						for k := 0; k < 2*kp; k++ {
							s += int32(a[row*lda+k]) * int32(b16[((k/2)*simdGroup+c)*2+k%2])
						}
						want[row*simdGroup+c] = s
					}
				}
				var got4 [4 * simdGroup]int32
				var got1 [simdGroup]int32
				for i := range got4 {
					got4[i] = 12345 // the kernels must overwrite, not add
				}
				if w8 {
					dotI8x4x16(&a[0], uintptr(2*lda), &b8[0], kp, &got4)
				} else {
					dotI16x4x16(&a[0], uintptr(2*lda), &b16[0], kp, &got4)
				}
				if got4 != want {
					t.Fatalf("4-row kernel, kpairs %d int8 %v extreme %v:\n got %v\nwant %v", kp, w8, extreme, got4, want)
				}
				for row := 0; row < 4; row++ {
					got1 = [simdGroup]int32{}
					if w8 {
						dotI8x1x16(&a[row*lda], &b8[0], kp, &got1)
					} else {
						dotI16x1x16(&a[row*lda], &b16[0], kp, &got1)
					}
					if [simdGroup]int32(want[row*simdGroup:(row+1)*simdGroup]) != got1 {
						t.Fatalf("1-row kernel, kpairs %d int8 %v row %d: got %v, want %v", kp, w8, row, got1, want[row*simdGroup:(row+1)*simdGroup])
					}
				}
			}
		}
	}
}

// requantWant is the scalar pipeline requant16 must reproduce.
func requantWant(acc, bias, m int32, shift int, c *rqConsts) byte {
	v := fixedpoint.MultiplyByQuantizedMultiplier(acc+bias, m, shift)
	v = convClamp(v+c.outOff, c.actMin, c.actMax)
	if c.unsigned == 1 {
		return byte(v)
	}
	return byte(int8(v))
}

func TestSIMDRequant16(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(22, 1))
	for round := 0; round < 3000; round++ {
		const nblk = 3
		n := nblk*16 - r.IntN(16) // the last block may be partial
		ms, shifts := make([]int32, n), make([]int, n)
		rq, bias := make([]requantizer, n), make([]int32, n)
		for j := range rq {
			switch r.IntN(8) {
			case 0:
				ms[j], shifts[j] = 1<<30, r.IntN(40)-31 // 0.5 exactly: many ties
			case 1:
				ms[j], shifts[j] = math.MaxInt32, r.IntN(40)-31
			default:
				ms[j], shifts[j] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, r.IntN(44)-35))
			}
			rq[j] = newRequantizer(ms[j], shifts[j])
			bias[j] = anyInt32(r)
			if r.IntN(2) == 0 {
				bias[j] = 0
			}
		}
		c := rqConsts{outOff: int32(r.IntN(256)) - 128, actMin: -128, actMax: 127}
		if round%2 == 1 {
			c = rqConsts{outOff: int32(r.IntN(256)), actMin: 0, actMax: 255, unsigned: 1}
		}
		if round%3 == 0 {
			c.actMin += int32(r.IntN(60))
			c.actMax -= int32(r.IntN(60))
		}
		if round%5 == 0 { // results near zero, where the rounding shows
			c.outOff = 0
			if c.unsigned == 1 {
				c.outOff = 128
			}
		}
		blocks := newRQBlocks(rq, bias)
		// Sums aimed at small results ± a little, so most lanes land on
		// or next to a rounding boundary rather than on the clamp.
		acc := make([]int32, nblk*16)
		for i := range acc {
			real := 0.0
			if i < n {
				real = float64(ms[i]) * math.Ldexp(1, shifts[i]-31)
			}
			if real == 0 || r.IntN(3) == 0 {
				acc[i] = anyInt32(r)
				continue
			}
			target := float64(r.IntN(201) - 100)
			x := math.Round(target/real) - float64(bias[i]) + float64(r.IntN(9)-4)
			if r.IntN(2) == 0 && real < 1 {
				x += float64(r.IntN(int(min(1/real, 1<<20)) + 1))
			}
			acc[i] = int32(int64(max(min(x, 1<<40), -1<<40)))
		}
		// One pixel: consecutive blocks (blkStride = sizeof(rqBlock)).
		out := make([]byte, nblk*16+4)
		requant16(&acc[0], nblk, &blocks[0], rqBlockSize, &out[0], 16, &c)
		for i := 0; i < n; i++ {
			if want := requantWant(acc[i], bias[i], ms[i], shifts[i], &c); out[i] != want {
				t.Fatalf("round %d channel %d acc %d bias %d m %d shift %d: got %d, want %d", round, i, acc[i], bias[i], ms[i], shifts[i], out[i], want)
			}
		}
		for i := nblk * 16; i < len(out); i++ {
			if out[i] != 0 {
				t.Fatalf("round %d: wrote past %d rows", round, nblk)
			}
		}
		// A GEMM tile: rows of one block (blkStride 0), ldo apart.
		const ldo = 21
		tile := make([]byte, nblk*ldo)
		requant16(&acc[0], nblk, &blocks[0], 0, &tile[0], ldo, &c)
		for row := 0; row < nblk; row++ {
			for j := 0; j < 16 && j < n; j++ {
				i := row*16 + j
				if want := requantWant(acc[i], bias[j], ms[j], shifts[j], &c); tile[row*ldo+j] != want {
					t.Fatalf("round %d tile row %d channel %d: got %d, want %d", round, row, j, tile[row*ldo+j], want)
				}
			}
			for j := 16; j < ldo; j++ {
				if tile[row*ldo+j] != 0 {
					t.Fatalf("round %d: tile row %d wrote past 16 channels", round, row)
				}
			}
		}
	}
}

func TestSIMDWiden(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(23, 1))
	for n := 0; n < 80; n++ {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(r.IntN(256))
		}
		off := int16(r.IntN(601) - 300)
		s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(src))), n)
		got, want := make([]int16, n+1), make([]int16, n+1)
		convWidenSIMD(got[:n], s8, off)
		convWiden(want[:n], s8, off)
		if !equalSlices(got, want) {
			t.Fatalf("int8 n %d off %d:\n got %v\nwant %v", n, off, got, want)
		}
		convWidenSIMD(got[:n], src, off)
		convWiden(want[:n], src, off)
		if !equalSlices(got, want) {
			t.Fatalf("uint8 n %d off %d:\n got %v\nwant %v", n, off, got, want)
		}
	}
}

func equalSlices[E comparable](a, b []E) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSIMDDepthwise3x3(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(24, 1))
	for _, C := range []int{1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 40, 48, 64, 67, 130} {
		for round := 0; round < 6; round++ {
			dx := C * (1 + r.IntN(2))
			dy := dx*(3+r.IntN(3)) + C*r.IntN(2)
			p := r.IntN(5)
			raw := make([]byte, p+2*dy+2*dx+C+r.IntN(3))
			for i := range raw {
				raw[i] = byte(r.IntN(256))
				if r.IntN(6) == 0 {
					raw[i] = []byte{0, 127, 128, 255}[r.IntN(4)]
				}
			}
			w := make([]int32, 9*C)
			for i := range w {
				w[i] = int32(operand(r, 255))
			}
			w3 := packDepthwise3x3(w, C)
			bias := make([]int32, C)
			for i := range bias {
				bias[i] = anyInt32(r)
			}
			check := func(name string, done int, acc []int32, x func(i int) int32) {
				t.Helper()
				if done != C/8*8 {
					t.Fatalf("%s C %d: did %d channels, want %d", name, C, done, C/8*8)
				}
				for c := 0; c < C; c++ {
					want := int32(-7) // untouched past done
					if c < done {
						want = bias[c]
						for fy := 0; fy < 3; fy++ {
							for fx := 0; fx < 3; fx++ {
								want += x(p+fy*dy+fx*dx+c) * w[(fy*3+fx)*C+c]
							}
						}
					}
					if acc[c] != want {
						t.Fatalf("%s C %d dx %d dy %d channel %d: got %d, want %d", name, C, dx, dy, c, acc[c], want)
					}
				}
			}
			acc := make([]int32, C)
			for i := range acc {
				acc[i] = -7
			}
			s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
			done := dw3x3SIMD(s8, p, dx, dy, w, w3, C, bias, acc)
			check("int8", done, acc, func(i int) int32 { return int32(s8[i]) })
			for i := range acc {
				acc[i] = -7
			}
			done = dw3x3SIMD(raw, p, dx, dy, w, w3, C, bias, acc)
			check("uint8", done, acc, func(i int) int32 { return int32(raw[i]) })
		}
	}
}

func TestSIMDDepthwiseTap(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(25, 1))
	for n := 0; n < 70; n++ {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = byte(r.IntN(256))
		}
		w, acc0 := make([]int32, n), make([]int32, n)
		for i := range w {
			w[i] = int32(operand(r, 255))
			if r.IntN(5) == 0 {
				w[i] = anyInt32(r) // any int32 wraps the same way
			}
			acc0[i] = anyInt32(r)
		}
		off := int32(r.IntN(511) - 255)
		s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(raw))), n)
		for _, signed := range []bool{true, false} {
			acc := append([]int32(nil), acc0...)
			var done int
			if signed {
				done = dwTapSIMD(acc, s8, w, off)
			} else {
				done = dwTapSIMD(acc, raw, w, off)
			}
			if done != n/8*8 {
				t.Fatalf("n %d: did %d", n, done)
			}
			for c := range acc {
				want := acc0[c]
				if c < done {
					x := int32(raw[c])
					if signed {
						x = int32(s8[c])
					}
					want += (x + off) * w[c]
				}
				if acc[c] != want {
					t.Fatalf("n %d signed %v channel %d: got %d, want %d", n, signed, c, acc[c], want)
				}
			}
		}
	}
}

// anyFloat draws a float32 that is often special: ±0, subnormal, huge,
// infinite or NaN.
func anyFloat(r *rand.Rand) float32 {
	switch r.IntN(12) {
	case 0:
		return []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-42, math.SmallestNonzeroFloat32, 3e38, -3e38}[r.IntN(7)]
	case 1:
		return []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}[r.IntN(3)]
	case 2:
		return math.Float32frombits(r.Uint32())
	}
	return float32(r.NormFloat64() * math.Ldexp(1, r.IntN(20)-10))
}

// sameFloat compares bits, NaN equal to NaN (which NaN an operation
// returns for two NaN operands is no concern of the kernels).
func sameFloat(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func TestSIMDFloatKernels(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(26, 1))
	for _, k := range []int{0, 1, 2, 3, 5, 16, 33, 300} {
		for round := 0; round < 4; round++ {
			special := round%2 == 1
			draw := func() float32 {
				if special {
					return anyFloat(r)
				}
				return float32(r.Float64()*2 - 1)
			}
			lda := k + r.IntN(3)
			a := make([]float32, 4*lda+1)
			for i := range a {
				a[i] = draw()
			}
			b := make([]float32, k*simdGroup+1)
			for i := range b {
				b[i] = draw()
			}
			var want [4 * simdGroup]float32
			for row := 0; row < 4; row++ {
				for c := 0; c < simdGroup; c++ {
					var s float32
					for kk := 0; kk < k; kk++ {
						s += float32(a[row*lda+kk] * b[kk*simdGroup+c])
					}
					want[row*simdGroup+c] = s
				}
			}
			var got4 [4 * simdGroup]float32
			dotF32x4x16(&a[0], uintptr(4*lda), &b[0], k, &got4)
			for i := range got4 {
				if !sameFloat(got4[i], want[i]) {
					t.Fatalf("dotF32x4x16 k %d special %v out %d: got %v, want %v", k, special, i, got4[i], want[i])
				}
			}
			for row := 0; row < 4; row++ {
				var got1 [simdGroup]float32
				dotF32x1x16(&a[row*lda], &b[0], k, &got1)
				for c := range got1 {
					if !sameFloat(got1[c], want[row*simdGroup+c]) {
						t.Fatalf("dotF32x1x16 k %d row %d channel %d: got %v, want %v", k, row, c, got1[c], want[row*simdGroup+c])
					}
				}
			}
		}
	}
	// Depthwise: one tap.
	for C := 0; C < 42; C++ {
		special := C%2 == 1
		draw := func() float32 {
			if special {
				return anyFloat(r)
			}
			return float32(r.Float64()*4 - 2)
		}
		acc, x, w := make([]float32, C), make([]float32, C), make([]float32, C)
		for i := range acc {
			acc[i], x[i], w[i] = draw(), draw(), draw()
		}
		want := append([]float32(nil), acc...)
		done := dwTapFloatSIMD(acc, x, w)
		if done != C/8*8 {
			t.Fatalf("dwTapFloatSIMD C %d: did %d", C, done)
		}
		for c := 0; c < done; c++ {
			want[c] += float32(x[c] * w[c])
		}
		for c := range acc {
			if !sameFloat(acc[c], want[c]) {
				t.Fatalf("dwTapFloatSIMD C %d channel %d: got %v, want %v", C, c, acc[c], want[c])
			}
		}

	}
}
