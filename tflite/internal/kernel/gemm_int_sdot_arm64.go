package kernel

import "golang.org/x/sys/cpu"

// The arm64 side of the dot4 path (gemm_int_dot4.go): SDOT multiplies
// signed input bytes by signed weights, so the kernels need no input
// bias.

// dot4InputBias is what the dot4 kernels add to every input byte: none.
const dot4InputBias = 0

// dot4CPU reports whether the CPU has the dot-product extension
// (FEAT_DotProd; Linux's "asimddp").
func dot4CPU() bool { return cpu.ARM64.HasASIMDDP }

//go:noescape
func dotS8x4x16(a *int8, lda uintptr, b *int8, kquads int, out *[4 * simdGroup]int32)

//go:noescape
func dotS8x1x16(a *int8, b *int8, kquads int, out *[simdGroup]int32)

// gemmDot4Fused reports the rows it computed: none, as arm64 has no fused
// dot4 kernels; every tile goes through storeTile.
func gemmDot4Fused[T quantElem](a []int8, rows, lda int, b []int8, kq, g int, e *intEpilogue, out []T, n int) int {
	return 0
}
