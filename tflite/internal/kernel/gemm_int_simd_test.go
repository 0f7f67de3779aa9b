//go:build amd64 || arm64

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
)

// TestGemmIntSIMD runs the whole int16-pair GEMM — packing with int8 and
// with int16 weights, the fused tiles where the short requantization
// applies (amd64), the 4-row and 1-row kernels with requant16 elsewhere,
// half and partial channel blocks — against the scalar definition
// Σ (a + inputOffset)·(w + filterOffset) + bias, requantized, for int8
// and uint8 outputs.
func TestGemmIntSIMD(t *testing.T) {
	skipNoSIMD(t)
	testGemmIntSIMD[int8](t)
	testGemmIntSIMD[uint8](t)
}

func testGemmIntSIMD[T quantElem](t *testing.T) {
	r := rand.New(rand.NewPCG(41, 1))
	unsigned := isUnsigned[T]()
	lo, hi := int32(-128), int32(127)
	if unsigned {
		lo, hi = 0, 255
	}
	ks := []int{1, 2, 3, 5, 8, 16, 24, 27, 72, 150, 1000}
	short := 0 // rounds whose epilogue allows the fused tiles
	for round := 0; round < 240; round++ {
		k := ks[round%len(ks)]
		n := []int{8, 16, 24, 40, 1 + r.IntN(48)}[round%5]
		rows := 1 + r.IntN(13)
		w8 := round%2 == 0
		fOff := int32(0)
		if unsigned {
			fOff = -int32(100 + r.IntN(56)) // a zero point near 128
		}
		w := make([]T, n*k)
		for i := range w {
			w[i] = T(int32(lo) + int32(r.IntN(int(hi-lo)+1)))
			if w8 {
				for o := int32(w[i]) + fOff; o < -128 || o > 127; o = int32(w[i]) + fOff {
					w[i] = T(int32(lo) + int32(r.IntN(int(hi-lo)+1)))
				}
			}
		}
		p := packIntSIMDAs(w, n, k, fOff, 2, w8)
		if (p.w8 != nil) != w8 {
			t.Fatalf("k %d n %d: int8 weights %v, want %v", k, n, p.w8 != nil, w8)
		}
		q := convQuant{
			inputOffset:  int32(r.IntN(256)) - 128,
			filterOffset: fOff,
			outputOffset: int32(r.IntN(200)) - 100,
			multiplier:   make([]int32, n),
			shift:        make([]int, n),
			actMin:       lo,
			actMax:       hi,
		}
		if unsigned {
			q.outputOffset = int32(r.IntN(200)) + 28
		}
		if round%5 == 0 {
			q.actMin, q.actMax = lo+int32(r.IntN(50)), hi-int32(r.IntN(50))
		}
		for c := range q.multiplier {
			q.multiplier[c], q.shift[c] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, -r.IntN(6)-int(math.Log2(float64(k)))-8))
		}
		e := newIntEpilogue(&q, p, unsigned)
		var bias []int32
		if round%3 != 2 {
			bias = make([]int32, n)
			for c := range bias {
				bias[c] = int32(r.IntN(40001)) - 20000
				if round%7 == 0 {
					bias[c] = int32(r.Uint32()) // too large for the short form
				}
			}
			e.setBias(bias)
		}
		if e.shortFits && rows >= 4 {
			short++
		}
		// A rows: input + inputOffset, zero past k (the packed weights
		// there are 0 too).
		a := make([]int16, rows*p.lda)
		x := make([]T, rows*k)
		for row := 0; row < rows; row++ {
			for kk := 0; kk < k; kk++ {
				x[row*k+kk] = T(int32(lo) + int32(r.IntN(int(hi-lo)+1)))
				a[row*p.lda+kk] = int16(int32(x[row*k+kk]) + q.inputOffset)
			}
		}
		want := gemmIntWant[T](x, k, w, fOff, rows, n, k, &q, bias)
		got := make([]T, rows*n+1)
		got[rows*n] = 99
		// Two slices of channel groups, as the worker pool splits them.
		mid := p.groups() / 2
		gemmIntSIMD(a, rows, p, 0, mid, &e, got[:rows*n])
		gemmIntSIMD(a, rows, p, mid, p.groups(), &e, got[:rows*n])
		if !equalSlices(got[:rows*n], want) || got[rows*n] != 99 {
			t.Fatalf("%T round %d k %d n %d rows %d int8 weights %v short %v:\n got %v\nwant %v", got[0], round, k, n, rows, w8, e.shortFits, got, want)
		}
	}
	if short == 0 {
		t.Errorf("%T: no round allowed the short requantization", T(0))
	}
	t.Logf("%T: %d of 240 rounds with short-form tiles", T(0), short)
}

// gemmIntWant is TFLite's quantized GEMM by its definition: for rows
// rows of k inputs x (ldx apart) and n channels of k weights w,
// Σ (x + inputOffset)·(w + fOff) + bias (nil: none), requantized, offset
// and clamped as q says.
func gemmIntWant[T, X, W quantElem](x []X, ldx int, w []W, fOff int32, rows, n, k int, q *convQuant, bias []int32) []T {
	want := make([]T, rows*n)
	for row := 0; row < rows; row++ {
		for c := 0; c < n; c++ {
			var acc int32
			for kk := 0; kk < k; kk++ {
				acc += (int32(x[row*ldx+kk]) + q.inputOffset) * (int32(w[c*k+kk]) + fOff)
			}
			if bias != nil {
				acc += bias[c]
			}
			v := fixedpoint.MultiplyByQuantizedMultiplier(acc, q.multiplier[c], q.shift[c])
			want[row*n+c] = T(convClamp(v+q.outputOffset, q.actMin, q.actMax))
		}
	}
	return want
}
