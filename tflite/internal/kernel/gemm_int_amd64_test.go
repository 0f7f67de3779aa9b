package kernel

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestDotHalf4MatchesFull checks the half-width tiles against the full
// 16-channel kernels on lanes 0-7, and that lanes 8-15 stay untouched.
func TestDotHalf4MatchesFull(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(11, 4))
	for _, kp := range []int{0, 1, 2, 3, 14, 50, 513} {
		lda := 2*kp + 2*r.IntN(3)
		a := make([]int16, 4*lda+2)
		for i := range a {
			a[i] = int16(r.IntN(511) - 255)
		}
		b8 := make([]int8, kp*32+1)
		b16 := make([]int16, kp*32+1)
		for i := range b8 {
			b8[i] = int8(r.Uint32())
			b16[i] = int16(r.IntN(511) - 255)
		}
		for _, wide := range []bool{false, true} {
			var full, half [4 * simdGroup]int32
			for i := range half {
				half[i] = int32(i) * 7919
			}
			sentinel := half
			if wide {
				dotI16x4x16(&a[0], uintptr(2*lda), &b16[0], kp, &full)
				dotHalf4(&a[0], uintptr(2*lda), nil, b16, kp, &half)
			} else {
				dotI8x4x16(&a[0], uintptr(2*lda), &b8[0], kp, &full)
				dotHalf4(&a[0], uintptr(2*lda), b8, nil, kp, &half)
			}
			for row := 0; row < 4; row++ {
				for lane := 0; lane < simdGroup; lane++ {
					i := row*simdGroup + lane
					want := full[i]
					if lane >= simdGroup/2 {
						want = sentinel[i]
					}
					if half[i] != want {
						t.Fatalf("kp=%d int16 weights=%v row %d lane %d: got %d, want %d", kp, wide, row, lane, half[i], want)
					}
				}
			}
		}
	}
}
