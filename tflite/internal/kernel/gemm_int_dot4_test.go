//go:build amd64 || arm64

package kernel

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestDot4Selected checks that int8 CONV_2D and FULLY_CONNECTED pack for
// the dot4 kernels exactly when the CPU has them and SIMD is on, and that
// uint8 models and int8 weights whose offset values leave int8 never do.
// dot4ExpectEnv (per architecture), when set to 1 or 0, states whether
// the CPU running the tests has the dot product, so that a run meant for
// one path cannot silently test the other.
func TestDot4Selected(t *testing.T) {
	switch v := os.Getenv(dot4ExpectEnv); v {
	case "":
	case "0", "1":
		if dot4CPU() != (v == "1") {
			t.Fatalf("dot4CPU() = %v with %s=%s", dot4CPU(), dot4ExpectEnv, v)
		}
	default:
		t.Fatalf("%s=%q, want 0 or 1", dot4ExpectEnv, v)
	}
	want := dot4CPU() && intSIMD()
	if got := intDot4(); got != want {
		t.Fatalf("intDot4() = %v with dot product %v, %s=%q; want %v", got, dot4CPU(), noSIMDEnv, os.Getenv(noSIMDEnv), want)
	}
	t.Logf("dot product %v, dot4 kernels %v", dot4CPU(), want)

	r := diffRand{rand.New(rand.NewPCG(31, 1))}
	for _, typ := range []tensor.DType{tensor.Int8, tensor.Uint8} {
		in := r.quantTensor("in", typ, []int{1, 5, 5, 8}, []float32{0.05}, 3, nil)
		filter := r.quantTensor("filter", typ, []int{20, 3, 3, 8}, []float32{0.01}, 0, r.filterData(typ, 20*9*8))
		out := r.quantTensor("out", typ, []int{1, 5, 5, 20}, []float32{0.5}, 1, nil)
		n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter}, Outputs: []*tensor.Tensor{out}}
		op, err := newConv2D(n, Conv2DOptions{Padding: sameP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := usesDot4(op); got != (want && typ == tensor.Int8) {
			t.Errorf("%s CONV_2D: dot4 %v", typ, got)
		}
	}
	// int8 FULLY_CONNECTED weights with a zero point: dot4 while w − zp
	// fits int8.
	for _, zp := range []int64{0, 5, -100} {
		data := make([]byte, 16*8)
		for i := range data {
			data[i] = byte(int8(i%11 - 5))
		}
		if zp == -100 {
			data[3] = byte(int8(100)) // 100 + 100 does not fit
		}
		in := r.quantTensor("in", tensor.Int8, []int{2, 8}, []float32{0.05}, 3, nil)
		w := r.quantTensor("weights", tensor.Int8, []int{16, 8}, []float32{0.01}, zp, data)
		out := r.quantTensor("out", tensor.Int8, []int{2, 16}, []float32{0.5}, 1, nil)
		n := &Node{Code: schema.BuiltinOperatorFULLY_CONNECTED, Inputs: []*tensor.Tensor{in, w}, Outputs: []*tensor.Tensor{out}}
		op, err := newFullyConnected(n, FullyConnectedOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := usesDot4(op); got != (want && zp != -100) {
			t.Errorf("int8 FULLY_CONNECTED, weight zero point %d: dot4 %v", zp, got)
		}
	}
}

// skipNoDot4 skips when the CPU (or EDGEFLEET_TFLITE_NOSIMD) rules dot4 out.
func skipNoDot4(t *testing.T) {
	t.Helper()
	if !intDot4() {
		t.Skip("dot4 kernels not selected on this machine")
	}
}

// guarded returns a slice of n bytes ending right before an inaccessible
// page, so that a kernel reading one byte too far faults.
func guarded(t *testing.T, n int) []int8 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n+page-1)/page*page + page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	b := mem[size-page-n : size-page]
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// anyInt8 draws an int8, the extremes often.
func anyInt8(r *rand.Rand) int8 {
	switch r.IntN(8) {
	case 0:
		return -128
	case 1:
		return 127
	}
	return int8(r.Uint32())
}

// TestDot4Kernels checks the 4-row and 1-row kernels against
// Σ (a + dot4InputBias)·w, wrapping like int32, with rows and weights
// ending at a guard page.
func TestDot4Kernels(t *testing.T) {
	skipNoDot4(t)
	r := rand.New(rand.NewPCG(32, 1))
	for _, kq := range []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 100, 40000} {
		for _, extreme := range []bool{false, true} {
			lda := 4*kq + 4*r.IntN(3) // the kernels read 4·kq bytes of each row
			// A and B end at a guard page, so over-reads fault; one spare
			// byte keeps &b[0] valid for kquads 0.
			a := guarded(t, 3*lda+4*kq+1)
			b := guarded(t, kq*simdGroup*4+1)
			for i := range a {
				a[i] = anyInt8(r)
			}
			for i := range b {
				b[i] = anyInt8(r)
			}
			if extreme {
				// Every product is as large as it gets, (−128)·(−128)
				// for SDOT, (127 + 128)·(−128) for VNNI, so the
				// 160000-tap sums wrap int32.
				for i := range a {
					a[i] = -128
					if dot4InputBias != 0 {
						a[i] = 127
					}
				}
				for i := range b {
					b[i] = -128
				}
			}
			var want [4 * simdGroup]int32
			for row := 0; row < 4; row++ {
				for c := 0; c < simdGroup; c++ {
					var s int32
					for k := 0; k < 4*kq; k++ {
						s += (int32(a[row*lda+k]) + dot4InputBias) * int32(b[((k/4)*simdGroup+c)*4+k%4])
					}
					want[row*simdGroup+c] = s
				}
			}
			var got4 [4 * simdGroup]int32
			for i := range got4 {
				got4[i] = 12345 // the kernels must overwrite, not add
			}
			dotS8x4x16(&a[0], uintptr(lda), &b[0], kq, &got4)
			if got4 != want {
				t.Fatalf("4-row kernel, kquads %d extreme %v:\n got %v\nwant %v", kq, extreme, got4, want)
			}
			for row := 0; row < 4; row++ {
				var got1 [simdGroup]int32
				for i := range got1 {
					got1[i] = -7
				}
				dotS8x1x16(&a[row*lda], &b[0], kq, &got1)
				if [simdGroup]int32(want[row*simdGroup:(row+1)*simdGroup]) != got1 {
					t.Fatalf("1-row kernel, kquads %d row %d: got %v, want %v", kq, row, got1, want[row*simdGroup:(row+1)*simdGroup])
				}
			}
		}
	}
}

// TestGemmIntDot4 runs the whole dot4 GEMM — packing, input-offset fold,
// kernels, requantization of partial blocks — against the scalar
// definition Σ (a + inputOffset)·(w + filterOffset) + bias, requantized.
func TestGemmIntDot4(t *testing.T) {
	skipNoDot4(t)
	r := rand.New(rand.NewPCG(33, 1))
	ks := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 27, 72, 150, 2000}
	fused := 0 // rounds with tiles for gemmDot4Fused
	for round := 0; round < 200; round++ {
		k := ks[round%len(ks)]
		n := 1 + r.IntN(40)
		if round%3 == 0 {
			n |= 1 // odd
		}
		rows := 1 + r.IntN(11)
		fOff := int32(0)
		if round%4 == 1 {
			fOff = int32(r.IntN(21) - 10)
		}
		w := make([]int8, n*k)
		for i := range w {
			w[i] = anyInt8(r)
			if o := int32(w[i]) + fOff; o < -128 || o > 127 {
				w[i] = int8(int32(w[i]) - 2*fOff) // keep w + fOff in int8
			}
		}
		p := packIntSIMD(w, n, k, fOff, 4)
		if !p.dot4 || p.lda != (k+3)&^3 {
			t.Fatalf("k %d: packed dot4 %v lda %d", k, p.dot4, p.lda)
		}
		q := convQuant{
			inputOffset:  int32(r.IntN(256)) - 127,
			filterOffset: fOff,
			outputOffset: int32(r.IntN(256)) - 128,
			multiplier:   make([]int32, n),
			shift:        make([]int, n),
			actMin:       -128,
			actMax:       127,
		}
		if round%5 == 0 {
			q.actMin, q.actMax = int32(r.IntN(50))-128, 127-int32(r.IntN(50))
		}
		for c := range q.multiplier {
			// Scales that keep most outputs off the clamp.
			q.multiplier[c], q.shift[c] = fixedpoint.QuantizeMultiplier(math.Ldexp(0.5+r.Float64()/2, -r.IntN(6)-int(math.Log2(float64(k)))-5))
		}
		e := newIntEpilogue(&q, p, false)
		var bias []int32
		if round%2 == 0 {
			bias = make([]int32, n)
			for c := range bias {
				bias[c] = int32(r.IntN(40001)) - 20000
				if round%10 == 0 {
					bias[c] = int32(r.Uint32()) // wraps with the fold
				}
			}
			// Install a bias twice, as Eval does for a computed one: the
			// fold must be applied once.
			e.setBias(make([]int32, n))
			e.setBias(bias)
		}
		// Rows padded past k with junk: the packed weights there are 0.
		a := make([]int8, rows*p.lda)
		for i := range a {
			a[i] = anyInt8(r)
		}
		want := gemmIntWant[int8](a, p.lda, w, fOff, rows, n, k, &q, bias)
		got := make([]int8, rows*n+1)
		got[rows*n] = 99
		if e.shortFits && rows >= 4 && n >= simdGroup {
			fused++
		}
		// Two slices of channel groups, as the worker pool splits them.
		mid := p.groups() / 2
		gemmIntDot4(a, rows, p, 0, mid, &e, got[:rows*n])
		gemmIntDot4(a, rows, p, mid, p.groups(), &e, got[:rows*n])
		if !equalSlices(got[:rows*n], want) || got[rows*n] != 99 {
			t.Fatalf("round %d k %d n %d rows %d inputOffset %d filterOffset %d:\n got %v\nwant %v", round, k, n, rows, q.inputOffset, fOff, got, want)
		}
	}
	// amd64 has fused kernels (arm64 does not): some rounds must reach them.
	if runtime.GOARCH == "amd64" && fused == 0 {
		t.Error("no round had tiles for the fused kernel")
	}
	t.Logf("%d rounds with fused tiles", fused)
}
