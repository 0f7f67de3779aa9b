package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
)

// The depthwise row kernels against a plain Go loop: random channel
// counts (full blocks, a half block, both), pixel, tap and dilation
// steps, weights over the whole offset range, biases that wrap the sums,
// per-channel multipliers with and without left shifts, int8 and uint8,
// narrowed activation ranges. fast_diff_test.go then checks them in
// place against the reference kernel.

// dwRowCase is one random row: inputs, weights and requantization.
type dwRowCase struct {
	C, pixels, dx, dy, sx, p int
	raw                      []byte
	w                        []int32 // [9][C], offset weights
	bias                     []int32 // biasAll
	ms                       []int32
	shifts                   []int
	rc                       rqConsts
}

// newDWRowCase draws a case with C channels; unsigned picks uint8.
func newDWRowCase(r *rand.Rand, C int, unsigned bool) *dwRowCase {
	k := &dwRowCase{C: C, pixels: 1 + r.IntN(9)}
	if r.IntN(4) == 0 {
		k.pixels = 20 + r.IntN(100)
	}
	k.dx = C * (1 + r.IntN(2))
	k.sx = C * (1 + r.IntN(3))
	k.dy = k.sx*(k.pixels-1) + 2*k.dx + C*(1+r.IntN(3))
	k.p = C * r.IntN(3)
	k.raw = make([]byte, k.p+(k.pixels-1)*k.sx+2*k.dy+2*k.dx+C)
	for i := range k.raw {
		k.raw[i] = byte(r.IntN(256))
		if r.IntN(6) == 0 {
			k.raw[i] = []byte{0, 127, 128, 255}[r.IntN(4)]
		}
	}
	k.w = make([]int32, 9*C)
	for i := range k.w {
		k.w[i] = int32(operand(r, 255))
	}
	k.bias, k.ms, k.shifts = make([]int32, C), make([]int32, C), make([]int, C)
	left := r.IntN(3) == 0 // some channel shifts left: the other loop
	for c := range k.bias {
		k.bias[c] = int32(r.IntN(1<<17)) - 1<<16
		if r.IntN(8) == 0 {
			k.bias[c] = anyInt32(r) // sums that wrap int32
		}
		switch {
		case r.IntN(10) == 0:
			k.ms[c], k.shifts[c] = 1<<30, -r.IntN(20) // ties
		case left && r.IntN(3) == 0:
			k.ms[c], k.shifts[c] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, 1+r.IntN(4)))
		default:
			k.ms[c], k.shifts[c] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, -6-r.IntN(12)))
		}
	}
	k.rc = rqConsts{outOff: int32(r.IntN(256)) - 128, actMin: -128, actMax: 127}
	if unsigned {
		k.rc = rqConsts{outOff: int32(r.IntN(256)), actMin: 0, actMax: 255, unsigned: 1}
	}
	if r.IntN(3) == 0 {
		k.rc.actMin += int32(r.IntN(60))
		k.rc.actMax -= int32(r.IntN(60))
	}
	return k
}

// want is the scalar row: Σ taps in wrapping int32 from the bias, then
// MultiplyByQuantizedMultiplier, zero point and clamp.
func (k *dwRowCase) want(x func(i int) int32) []byte {
	out := make([]byte, k.pixels*k.C)
	for i := 0; i < k.pixels; i++ {
		for c := 0; c < k.C; c++ {
			acc := k.bias[c]
			for fy := 0; fy < 3; fy++ {
				for fx := 0; fx < 3; fx++ {
					acc += x(k.p+i*k.sx+fy*k.dy+fx*k.dx+c) * k.w[(fy*3+fx)*k.C+c]
				}
			}
			out[i*k.C+c] = requantWant(acc, 0, k.ms[c], k.shifts[c], &k.rc)
		}
	}
	return out
}

// run calls dwRow3x3SIMD on in (raw viewed as T) and returns the row,
// checking the bytes after it are untouched.
func runDWRow[T quantElem](t *testing.T, k *dwRowCase, in []T) []byte {
	t.Helper()
	rq := make([]requantizer, k.C)
	for c := range rq {
		rq[c] = newRequantizer(k.ms[c], k.shifts[c])
	}
	blocks := newDWRowBlocks(rq)
	setDWRowBias(blocks, k.bias)
	rc := k.rc
	rc.setShifts(blocks)
	const guard = 32
	out := make([]T, k.pixels*k.C+guard)
	for i := range out {
		out[i] = T(0x5a)
	}
	dwRow3x3SIMD(in, k.p, k.dx, k.dy, k.sx, k.C, packDepthwise3x3(k.w, k.C), blocks, &rc, out[:k.pixels*k.C], k.pixels)
	for _, v := range out[k.pixels*k.C:] {
		if v != T(0x5a) {
			t.Fatalf("C %d pixels %d: wrote past the row", k.C, k.pixels)
		}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), k.pixels*k.C)
}

func TestSIMDDepthwiseRow(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(26, 1))
	for _, C := range []int{8, 16, 24, 32, 40, 48, 144} {
		for round := 0; round < 40; round++ {
			unsigned := round%2 == 1
			k := newDWRowCase(r, C, unsigned)
			var got, want []byte
			if unsigned {
				got = runDWRow(t, k, k.raw)
				want = k.want(func(i int) int32 { return int32(k.raw[i]) })
			} else {
				s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(k.raw))), len(k.raw))
				got = runDWRow(t, k, s8)
				want = k.want(func(i int) int32 { return int32(s8[i]) })
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("round %d C %d unsigned %v pixels %d dx %d dy %d sx %d: pixel %d channel %d: got %d, want %d",
						round, C, unsigned, k.pixels, k.dx, k.dy, k.sx, i/C, i%C, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkDWRow3x3 times one output row of MobileNet-like shapes with
// its input in cache; ns/out is per output byte.
func BenchmarkDWRow3x3(b *testing.B) {
	if !intSIMD() {
		b.Skip("SIMD kernels not selected on this machine")
	}
	for _, s := range []struct {
		name              string
		C, pixels, stride int
	}{
		{"C8x62s1", 8, 62, 1}, {"C32x112s1", 32, 112, 1}, {"C96x56s2", 96, 56, 2}, {"C144x56s1", 144, 56, 1}, {"C384x14s1", 384, 14, 1},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(27, 1))
			k := newDWRowCase(r, s.C, false)
			k.pixels, k.dx, k.sx = s.pixels, s.C, s.stride*s.C
			k.dy = (s.pixels*s.stride + 2) * s.C
			k.p = 0
			k.raw = make([]byte, (k.pixels-1)*k.sx+2*k.dy+2*k.dx+s.C)
			in := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(k.raw))), len(k.raw))
			rq := make([]requantizer, k.C)
			for c := range rq {
				rq[c] = newRequantizer(k.ms[c], k.shifts[c])
			}
			blocks := newDWRowBlocks(rq)
			setDWRowBias(blocks, k.bias)
			k.rc.setShifts(blocks)
			w3 := packDepthwise3x3(k.w, k.C)
			out := make([]int8, k.pixels*k.C)
			for b.Loop() {
				dwRow3x3SIMD(in, 0, k.dx, k.dy, k.sx, k.C, w3, blocks, &k.rc, out, k.pixels)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out)), "ns/out")
		})
	}
}
