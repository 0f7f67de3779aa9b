//go:build !arm64

package kernel

// Only arm64 has SDOT kernels (gemm_int_sdot_arm64.s); elsewhere int8
// weights keep the other layouts.

// intSDOT reports whether the SDOT layout is used; never here.
func intSDOT() bool { return false }

// gemmIntSDOT is never reached: SDOT layouts exist only where intSDOT can
// be true.
func gemmIntSDOT[T quantElem](a []int8, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	panic("kernel: SDOT-packed weights on an architecture without SDOT kernels")
}
