package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/edgefleet/edgefleet/tflite/internal/fixedpoint"
)

func TestRequant16MatchesScalar(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(9, 1))
	for round := 0; round < 400; round++ {
		rq := make([]requantizer, 16)
		bias := make([]int32, 16)
		for j := range rq {
			real := math.Ldexp(0.5+r.Float64()/2, r.IntN(36)-31)
			m, shift := fixedpoint.QuantizeMultiplier(real)
			rq[j] = newRequantizer(m, shift)
			bias[j] = int32(r.IntN(1<<20)) - 1<<19
		}
		unsigned := round%2 == 1
		c := rqConsts{outOff: int32(r.IntN(256)) - 128, actMin: -128, actMax: 127}
		if unsigned {
			c = rqConsts{outOff: int32(r.IntN(256)), actMin: 0, actMax: 255, unsigned: 1}
		}
		if round%3 == 0 { // a fused activation narrows the range
			c.actMin += int32(r.IntN(60))
			c.actMax -= int32(r.IntN(60))
		}
		blocks := newRQBlocks(rq, bias)
		c.setShifts(blocks)
		const rows = 3
		acc := make([]int32, rows*16)
		for i := range acc {
			switch r.IntN(4) {
			case 0:
				acc[i] = int32(r.Uint32())
			case 1:
				acc[i] = []int32{math.MaxInt32, math.MinInt32, 0, -1, 1}[r.IntN(5)]
			default:
				acc[i] = int32(r.IntN(1<<18)) - 1<<17
			}
		}
		out := make([]byte, rows*20)
		requant16(&acc[0], rows, &blocks[0], 0, &out[0], 20, &c)
		for row := 0; row < rows; row++ {
			for j := 0; j < 16; j++ {
				v := rq[j].apply(acc[row*16+j] + bias[j])
				v = convClamp(v+c.outOff, c.actMin, c.actMax)
				want := byte(int8(v))
				if unsigned {
					want = byte(v)
				}
				if got := out[row*20+j]; got != want {
					t.Fatalf("round %d row %d ch %d acc %d: got %d, want %d", round, row, j, acc[row*16+j], got, want)
				}
			}
			for j := 16; j < 20; j++ {
				if out[row*20+j] != 0 {
					t.Fatalf("round %d: wrote past the 16 channels", round)
				}
			}
		}
	}
}

// BenchmarkRequant16 times one GEMM tile's epilogue: 4 rows × 16 channels.
func BenchmarkRequant16(b *testing.B) {
	if !cpu.X86.HasAVX2 {
		b.Skip("no AVX2")
	}
	rq := make([]requantizer, 16)
	for j := range rq {
		m, shift := fixedpoint.QuantizeMultiplier(math.Ldexp(0.7, -9-j%3))
		rq[j] = newRequantizer(m, shift)
	}
	blocks := newRQBlocks(rq, make([]int32, 16))
	c := rqConsts{outOff: -3, actMin: -128, actMax: 127}
	c.setShifts(blocks)
	var acc [64]int32
	for i := range acc {
		acc[i] = int32(i*7919) - 200000
	}
	var out [64]byte
	for b.Loop() {
		requant16(&acc[0], 4, &blocks[0], 0, &out[0], 16, &c)
	}
}
