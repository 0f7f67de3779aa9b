//go:build !amd64 && !arm64

package kernel

// Architectures without assembly kernels (arm, riscv64, 386, …) run
// the portable Go loops; the SIMD entry points below are either unreachable
// (packing never chooses their layouts here) or do no work, so callers
// fall through to Go.

// intSIMD reports whether SIMD kernels run; never on this architecture.
func intSIMD() bool { return false }

// requant16 is never reached: it runs only where intSIMD can be true.
func requant16(acc *int32, rows int, blk *rqBlock, blkStride uintptr, out *byte, ldo uintptr, c *rqConsts) {
	panic("kernel: SIMD requantization on an architecture without SIMD kernels")
}

// gemmIntSIMD is never reached: packIntSIMD layouts exist only where
// intSIMD can return true.
func gemmIntSIMD[T quantElem](a []int16, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	panic("kernel: SIMD-packed weights on an architecture without SIMD kernels")
}

// dw3x3SIMD does nothing here: the portable loop computes every channel.
func dw3x3SIMD[T quantElem](in []T, p, dx, dy int, w []int32, w3 []int16, C int, bias, acc []int32) int {
	return 0
}

// gemmFloatSIMD is never reached: SIMD float layouts exist only where
// intSIMD can be true.
func gemmFloatSIMD(a []float32, rows int, p *packedFloat, gLo, gHi, live int, e *floatEpilogue, out []float32) {
	panic("kernel: SIMD-packed float weights on an architecture without SIMD kernels")
}

// dwTapSIMD does nothing here: the portable loop computes every channel.
func dwTapSIMD[T quantElem](acc []int32, x []T, w []int32, off int32) int { return 0 }

// dwTapFloatSIMD does nothing here: the portable loop computes every channel.
func dwTapFloatSIMD(acc, x, w []float32) int { return 0 }

// convWidenSIMD is convWiden here.
func convWidenSIMD[T quantElem](dst []int16, src []T, off int16) { convWiden(dst, src, off) }
