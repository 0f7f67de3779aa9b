//go:build !amd64 && !arm64

package kernel

// Only arm64 (SDOT) and amd64 (AVX512-VNNI, AVX-VNNI) have dot4 kernels
// (gemm_int_dot4.go); elsewhere int8 weights keep the other layouts.

// dot4InputBias is unused here.
const dot4InputBias = 0

// intDot4 reports whether the dot4 layout is used; never here.
func intDot4() bool { return false }

// gemmIntDot4 is never reached: dot4 layouts exist only where intDot4 can
// be true.
func gemmIntDot4[T quantElem](a []int8, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	panic("kernel: dot4-packed weights on an architecture without dot4 kernels")
}
