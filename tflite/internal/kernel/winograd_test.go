package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TestWinogradTransformsMatchDirect checks the algebra: for random 4×4
// tiles d and 3×3 filters g over a few channels (values up to ±255,
// the extremes of offset int8/uint8 data), Aᵀ[Σ_c U⊙V]A is 4× the
// direct 3×3 sum of each of the tile's 2×2 outputs, and winoOutput
// (which shifts it back) gives the sum itself.
func TestWinogradTransformsMatchDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	val := func() int32 {
		if r.IntN(4) == 0 {
			return []int32{-255, 255}[r.IntN(2)]
		}
		return int32(r.IntN(511) - 255)
	}
	for trial := 0; trial < 200; trial++ {
		chans := 1 + r.IntN(5)
		var m winoProducts
		var direct [winoTiles][simdGroup][2][2]int32
		for tile := 0; tile < winoTiles; tile++ {
			for lane := 0; lane < simdGroup; lane++ {
				for c := 0; c < chans; c++ {
					var g [9]int32
					for i := range g {
						g[i] = val()
					}
					// One tile, one channel, through winoInput's layout.
					src := make([]int16, 16)
					var d [4][4]int32
					for i := 0; i < 4; i++ {
						for j := 0; j < 4; j++ {
							d[i][j] = val()
							src[4*i+j] = int16(d[i][j])
						}
					}
					v := make([]int16, 16)
					winoInput(src, 4, 1, 1, v, 1)
					u := winoFilter(&g)
					for xi := range m {
						m[xi][tile*simdGroup+lane] += u[xi] * int32(v[xi])
					}
					for y := 0; y < 2; y++ {
						for x := 0; x < 2; x++ {
							for fy := 0; fy < 3; fy++ {
								for fx := 0; fx < 3; fx++ {
									direct[tile][lane][y][x] += g[3*fy+fx] * d[y+fy][x+fx]
								}
							}
						}
					}
				}
			}
		}
		var y winoRows
		winoOutput(&m, &y)
		for tile := 0; tile < winoTiles; tile++ {
			for lane := 0; lane < simdGroup; lane++ {
				four := winoOutputUnshifted(&m, tile, lane)
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						want := direct[tile][lane][dy][dx]
						if four[dy][dx] != 4*want {
							t.Fatalf("trial %d tile %d lane %d (%d,%d): Aᵀ M A = %d, want 4·%d", trial, tile, lane, dy, dx, four[dy][dx], want)
						}
						if got := y[dy][2*tile+dx][lane]; got != want {
							t.Fatalf("trial %d tile %d lane %d (%d,%d): winoOutput %d, want %d", trial, tile, lane, dy, dx, got, want)
						}
					}
				}
			}
		}
	}
}

// winoOutputUnshifted is Aᵀ M A for one tile and lane, written out from
// the definition of Aᵀ rather than winoOutput's factored form.
func winoOutputUnshifted(m *winoProducts, tile, lane int) [2][2]int32 {
	at := [2][4]int32{{1, 1, 1, 0}, {0, 1, -1, -1}}
	var out [2][2]int32
	for y := 0; y < 2; y++ {
		for x := 0; x < 2; x++ {
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					out[y][x] += at[y][i] * m[4*i+j][tile*simdGroup+lane] * at[x][j]
				}
			}
		}
	}
	return out
}

// TestWinogradOutputWraps checks that the shift recovers acc exactly at
// the edges of the admitted range, where 4·acc itself wraps int32
// nowhere but intermediate sums may: M values whose transform is
// 4·acc modulo 2³² for acc = ±(2²⁹ − 1), −2²⁹.
func TestWinogradOutputWraps(t *testing.T) {
	for _, acc := range []int32{winoAccLimit - 1, -winoAccLimit, -(winoAccLimit - 1), 0, 1, -1} {
		// M = 4·acc at position (1,1) only contributes +4·acc to every
		// output; add multiples of 2³⁰ elsewhere that cancel mod 2³²
		// only through wrapping.
		var m winoProducts
		for lane := 0; lane < winoTiles*simdGroup; lane++ {
			m[5][lane] = 4 * acc
			m[0][lane] = 1 << 30
			m[2][lane] = -(1 << 30) // m0 + m1 wraps, + m2 comes back
		}
		var y winoRows
		winoOutput(&m, &y)
		if y[0][0][0] != acc || y[1][1][0] != acc {
			t.Errorf("acc %d: got %d, %d", acc, y[0][0][0], y[1][1][0])
		}
		if intSIMD() && winogradFast {
			var ys winoRows
			winoOutputSIMD(&m, &ys)
			if ys != y {
				t.Errorf("acc %d: SIMD output transform differs", acc)
			}
		}
	}
}

// TestSIMDWinogradTransforms checks the assembly transforms against the
// portable ones on random data: the input transform over several tiles
// and channel blocks with padded pixels and rows, the output transform
// on arbitrary int32 (wrapping) sums.
func TestSIMDWinogradTransforms(t *testing.T) {
	if !intSIMD() || !winogradFast {
		t.Skip("no assembly transforms")
	}
	r := rand.New(rand.NewPCG(22, 2))
	for trial := 0; trial < 100; trial++ {
		pix := 16 * (1 + r.IntN(4))
		tiles := 1 + r.IntN(9)
		rowStride := (2*tiles+2+r.IntN(3))*pix + 16*r.IntN(2)
		src := make([]int16, 4*rowStride)
		for i := range src {
			src[i] = int16(r.IntN(511) - 255)
		}
		want := make([]int16, 16*tiles*pix+32)
		got := make([]int16, len(want))
		for i := range want {
			want[i] = int16(r.Uint32())
			got[i] = want[i]
		}
		winoInput(src, rowStride, pix, pix, want, tiles)
		winoInputSIMD(src, rowStride, pix, got, tiles)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("input transform pix %d tiles %d: element %d got %d, want %d", pix, tiles, i, got[i], want[i])
			}
		}

		var m winoProducts
		for xi := range m {
			for i := range m[xi] {
				m[xi][i] = int32(r.Uint32())
			}
		}
		var yw, yg winoRows
		winoOutput(&m, &yw)
		winoOutputSIMD(&m, &yg)
		if yw != yg {
			t.Fatalf("output transform differs on trial %d", trial)
		}
	}
}

// TestWinogradAccBound checks the fallback rule: a filter whose
// 255·Σ|w| reaches 2²⁹ keeps the GEMM kernel, one just below it takes
// Winograd (when the CPU allows it), and both match the reference loop.
func TestWinogradAccBound(t *testing.T) {
	// uint8 weights 0 with zero point 255 are −255 each once offset:
	// Σ|w| = 9·255·inC, ≥ 2²⁹/255 from inC = 918 on.
	for _, tc := range []struct {
		inC  int
		fits bool
	}{{917, true}, {918, false}} {
		bound := winoAccBound(make([]uint8, 9*tc.inC), 1, 9*tc.inC, -255)
		if (bound < winoAccLimit) != tc.fits {
			t.Fatalf("inC %d: bound %d, want fits=%v", tc.inC, bound, tc.fits)
		}
		in := convTensor("in", tensor.Uint8, []int{1, 3, 2, tc.inC}, []float32{0.01}, []int64{0}, nil)
		for i := range in.Data {
			in.Data[i] = 255 // extreme: input offset 0, x = 255
		}
		filter := convTensor("filter", tensor.Uint8, []int{1, 3, 3, tc.inC}, []float32{0.001}, []int64{255}, make([]byte, 9*tc.inC))
		out := convTensor("out", tensor.Uint8, []int{1, 3, 2, 1}, []float32{1e4}, []int64{128}, nil)
		n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, nil}, Outputs: []*tensor.Tensor{out}}
		op, err := newConv2D(n, Conv2DOptions{Padding: sameP, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1})
		if err != nil {
			t.Fatal(err)
		}
		wino := forceWinograd(op)
		if tc.fits != (wino != nil) && intSIMD() {
			t.Fatalf("inC %d: Winograd kernel %v, want %v", tc.inC, wino != nil, tc.fits)
		}
		if _, ok := op.(*conv2DWinograd[uint8]); ok && !tc.fits {
			t.Fatalf("inC %d: newConv2D chose Winograd past the bound", tc.inC)
		}
		checkAgainstReference(t, fmt.Sprintf("inC %d", tc.inC), op, out)
		if wino != nil {
			checkAgainstReference(t, fmt.Sprintf("inC %d Winograd", tc.inC), wino, out)
		}
	}
}

// forceWinograd returns the Winograd kernel for op's convolution even
// where winogradWins would not choose it, or nil where it cannot run.
func forceWinograd(op Op) Op {
	switch o := op.(type) {
	case *conv2DWinograd[int8], *conv2DWinograd[uint8]:
		return o
	case *conv2DGemm[int8]:
		if w := newConv2DWinograd(o.ref); w != nil {
			return w
		}
	case *conv2DGemm[uint8]:
		if w := newConv2DWinograd(o.ref); w != nil {
			return w
		}
	}
	return nil
}

// TestConv2DWinogradMatchesReference runs the Winograd kernel, forced on
// every 3×3 stride-1 case, against the reference loop: random depths
// (1-64 in, 1-70 out), odd and even sizes, SAME and VALID, int8 and uint8,
// per-channel and per-tensor scales, extreme zero points and weights,
// one to three threads.
func TestConv2DWinogradMatchesReference(t *testing.T) {
	if !intSIMD() {
		t.Skip("Winograd needs the SIMD dot kernels")
	}
	r := diffRand{rand.New(rand.NewPCG(23, 1))}
	pools := []*parallel.Pool{nil, parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	chosen := 0
	for i := 0; i < 400; i++ {
		typ := []tensor.DType{tensor.Int8, tensor.Uint8}[r.IntN(2)]
		batches, inH, inW := r.between(1, 2), r.between(1, 13), r.between(1, 13)
		inC, outC := r.between(1, 64), r.between(1, 70)
		if r.IntN(3) == 0 {
			inC, outC = 16*r.between(1, 4), 16*r.between(1, 4)
		}
		opts := Conv2DOptions{
			Padding: []schema.Padding{sameP, validP}[r.IntN(2)],
			StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1,
			Activation: r.activation(),
		}
		outH := computeOutSize(opts.Padding, inH, 3, 1, 1)
		outW := computeOutSize(opts.Padding, inW, 3, 1, 1)
		if outH < 1 || outW < 1 {
			continue
		}
		extreme := r.IntN(3) == 0
		inScale := float32(0.01 + r.Float64()*0.1)
		fScales := []float32{float32(0.005 + r.Float64()*0.05)}
		fZP := int64(0)
		if typ == tensor.Int8 && r.IntN(2) == 0 {
			fScales = make([]float32, outC)
			for c := range fScales {
				fScales[c] = float32(0.005 + r.Float64()*0.05)
			}
		}
		inZP, outZP := r.zeroPoint(typ), r.zeroPoint(typ)
		fData := r.filterData(typ, outC*9*inC)
		if typ == tensor.Uint8 {
			fZP = r.zeroPoint(typ)
		}
		if extreme {
			// Weights and zero points at the ends of their ranges, so that
			// offset values reach ±255 (uint8) or −128, 127 (int8).
			lo, hi := byte(0x80), byte(0x7f)
			if typ == tensor.Uint8 {
				lo, hi = 0, 255
				fZP = []int64{0, 255}[r.IntN(2)]
				inZP = []int64{0, 255}[r.IntN(2)]
			} else {
				inZP = []int64{-128, 127}[r.IntN(2)]
			}
			for j := range fData {
				fData[j] = []byte{lo, hi}[r.IntN(2)]
			}
		}
		in := r.quantTensor("in", typ, []int{batches, inH, inW, inC}, []float32{inScale}, inZP, nil)
		if extreme {
			v := byte(0x80)
			if typ == tensor.Uint8 {
				v = byte(255 - inZP)
			} else if inZP == -128 {
				v = 0x7f
			}
			for j := range in.Data {
				if r.IntN(2) == 0 {
					in.Data[j] = v
				}
			}
		}
		filter := r.quantTensor("filter", typ, []int{outC, 3, 3, inC}, fScales, fZP, fData)
		bias := r.quantBias(outC, inScale*fScales[0])
		if bias != nil && i%5 == 0 {
			bias.Const = false
		}
		outScale := inScale * fScales[0] * float32(10+r.IntN(200))
		if extreme {
			outScale *= 20
		}
		out := r.quantTensor("out", typ, []int{batches, outH, outW, outC}, []float32{outScale}, outZP, nil)
		pool := pools[r.IntN(len(pools))]
		n := &Node{Code: schema.BuiltinOperatorCONV_2D, Inputs: []*tensor.Tensor{in, filter, bias}, Outputs: []*tensor.Tensor{out}, Pool: pool}
		op, err := newConv2D(n, opts)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		switch op.(type) {
		case *conv2DWinograd[int8], *conv2DWinograd[uint8]:
			chosen++
		}
		wino := forceWinograd(op)
		if wino == nil {
			t.Fatalf("case %d: no Winograd kernel", i)
		}
		name := fmt.Sprintf("case %d %s in %v filter %v zp %d/%d %+v threads %d", i, typ, in.Shape, filter.Shape, inZP, fZP, opts, pool.Workers())
		checkAgainstReference(t, name, wino, out)
		if wino != op {
			checkAgainstReference(t, name+" (chosen kernel)", op, out)
		}
	}
	t.Logf("%d cases chose Winograd on their own", chosen)
}
