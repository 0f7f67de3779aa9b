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
// narrowed activation ranges; each case with both requantizations when
// the short one applies, including at its limits (right shifts 0 and 21,
// sums of magnitude 2^30 − 1). fast_diff_test.go then checks them in
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
	wrap := r.IntN(4) == 0 // sums that wrap int32
	edge := r.IntN(4) == 0 // sums at the short requantization's limit
	xMax := int32(128)
	if unsigned {
		xMax = 255
	}
	for c := range k.bias {
		k.bias[c] = int32(r.IntN(1<<17)) - 1<<16
		switch {
		case wrap && r.IntN(2) == 0:
			k.bias[c] = anyInt32(r)
		case edge:
			var absW int32
			for t := 0; t < 9; t++ {
				absW += max(k.w[t*C+c], -k.w[t*C+c])
			}
			k.bias[c] = (1<<30 - 1 - absW*xMax) * int32(1-2*r.IntN(2))
		}
		switch {
		case r.IntN(10) == 0:
			k.ms[c], k.shifts[c] = 1<<30, -r.IntN(22) // ties
		case r.IntN(10) == 0:
			e := []int{0, -21}[r.IntN(2)] // the short requantization's limits
			if left {
				e = -22 // past them
			}
			k.ms[c], k.shifts[c] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, e))
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

// runDWRow calls dwRow3x3SIMD on in (raw viewed as T) and returns the
// row, checking the bytes after it are untouched. With fast it uses the
// short requantization, which the case must allow.
func runDWRow[T quantElem](t *testing.T, k *dwRowCase, in []T, fast bool) []byte {
	t.Helper()
	rq := make([]requantizer, k.C)
	for c := range rq {
		rq[c] = newRequantizer(k.ms[c], k.shifts[c])
	}
	blocks := newDWRowBlocks(rq)
	var fb []rqShortBlock
	if fast {
		fb = newDWFastBlocks(rq, k.rc.outOff)
	}
	setDWRowBias(blocks, fb, k.bias)
	rc := k.rc
	rc.setShifts(blocks)
	const guard = 32
	out := make([]T, k.pixels*k.C+guard)
	for i := range out {
		out[i] = T(0x5a)
	}
	dwRow3x3SIMD(in, k.p, k.dx, k.dy, k.sx, k.C, k.C, packDepthwise3x3(k.w, k.C), blocks, fb, &rc, out[:k.pixels*k.C], k.pixels)
	for _, v := range out[k.pixels*k.C:] {
		if v != T(0x5a) {
			t.Fatalf("C %d pixels %d: wrote past the row", k.C, k.pixels)
		}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), k.pixels*k.C)
}

// fastFits reports whether case k allows the short requantization.
func (k *dwRowCase) fastFits(unsigned bool) bool {
	rq := make([]requantizer, k.C)
	absW := make([]int32, k.C)
	for c := range rq {
		rq[c] = newRequantizer(k.ms[c], k.shifts[c])
		for t := 0; t < 9; t++ {
			absW[c] += max(k.w[t*k.C+c], -k.w[t*k.C+c])
		}
	}
	xMax := int64(128)
	if unsigned {
		xMax = 255
	}
	return rqShortUsable(rq) && rqShortSumsFit(k.bias, absW, xMax)
}

func TestSIMDDepthwiseRow(t *testing.T) {
	skipNoSIMD(t)
	r := rand.New(rand.NewPCG(26, 1))
	fastRuns := 0
	for _, C := range []int{8, 16, 24, 32, 40, 48, 144} {
		for round := 0; round < 60; round++ {
			unsigned := round%2 == 1
			k := newDWRowCase(r, C, unsigned)
			modes := []bool{false}
			if k.fastFits(unsigned) {
				modes = append(modes, true)
				fastRuns++
			}
			for _, fast := range modes {
				var got, want []byte
				if unsigned {
					got = runDWRow(t, k, k.raw, fast)
					want = k.want(func(i int) int32 { return int32(k.raw[i]) })
				} else {
					s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(k.raw))), len(k.raw))
					got = runDWRow(t, k, s8, fast)
					want = k.want(func(i int) int32 { return int32(s8[i]) })
				}
				for i := range want {
					if got[i] != want[i] {
						c := i % C
						t.Fatalf("round %d C %d unsigned %v fast %v pixels %d dx %d dy %d sx %d: pixel %d channel %d (bias %d m %d shift %d): got %d, want %d",
							round, C, unsigned, fast, k.pixels, k.dx, k.dy, k.sx, i/C, c, k.bias[c], k.ms[c], k.shifts[c], got[i], want[i])
					}
				}
			}
		}
	}
	if fastRuns < 100 {
		t.Errorf("only %d cases took the short requantization", fastRuns)
	}
}

// TestDWFastRequantLimits runs the short requantization's lane arithmetic
// in Go on the extremes it admits: every right shift 0-21, output
// offsets across both types, sums up to ±(2^30 − 1), multipliers at both
// ends of [2^30, 2^31), against MultiplyByQuantizedMultiplier.
func TestDWFastRequantLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 1))
	xs := []int32{0, 1, -1, 1<<30 - 1, -(1<<30 - 1), 1 << 29, -(1 << 29)}
	for k := 0; k <= rqShortMaxShift; k++ {
		for _, outOff := range []int32{-128, -1, 0, 1, 127, 255} {
			for _, m := range []int32{1 << 30, 1<<30 + 1, math.MaxInt32, int32(1<<30 + r.IntN(1<<30))} {
				rq := []requantizer{newRequantizer(m, -k)}
				b := newDWFastBlocks(rq, outOff)[0]
				for i := 0; i < 200; i++ {
					x := int32(r.IntN(1<<31)) - 1<<30
					if i < len(xs) {
						x = xs[i]
					}
					// RQX8 on lane 0 (even): q' = high32(2x·m + nudge), out = (q' − [q' > thresh]) >> k.
					q := int32((int64(2*x)*int64(b.mult[0]) + b.nudge[0]) >> 32)
					if q > b.thresh[0] {
						q++
					}
					got := q >> b.shift[0]
					want := fixedpoint.MultiplyByQuantizedMultiplier(x, m, -k) + outOff
					if got != want {
						t.Fatalf("k %d outOff %d m %d x %d: got %d, want %d", k, outOff, m, x, got, want)
					}
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
			fast := newDWFastBlocks(rq, k.rc.outOff)
			setDWRowBias(blocks, fast, k.bias)
			k.rc.setShifts(blocks)
			w3 := packDepthwise3x3(k.w, k.C)
			out := make([]int8, k.pixels*k.C)
			for b.Loop() {
				dwRow3x3SIMD(in, 0, k.dx, k.dy, k.sx, k.C, k.C, w3, blocks, fast, &k.rc, out, k.pixels)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(out)), "ns/out")
		})
	}
}
