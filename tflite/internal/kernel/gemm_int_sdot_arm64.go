package kernel

import "golang.org/x/sys/cpu"

// The SDOT path of the integer GEMM: on arm64 CPUs with the dot-product
// extension, int8 CONV_2D and FULLY_CONNECTED multiply raw int8 input
// rows by int8 weights four taps per instruction (gemm_int_sdot_arm64.s)
// instead of widening both to int16 for SMLAL. packIntSIMD's SDOT layout
// and intEpilogue's input-offset fold make the sums TFLite's.

// intSDOT reports whether int8 weights whose offset values fit int8 are
// packed for the SDOT kernels: NEON is in use (intSIMD) and the CPU has
// the dot-product extension (FEAT_DotProd; Linux's "asimddp").
func intSDOT() bool { return cpu.ARM64.HasASIMDDP && intSIMD() }

//go:noescape
func dotS8x4x16(a *int8, lda uintptr, b *int8, kquads int, out *[4 * simdGroup]int32)

//go:noescape
func dotS8x1x16(a *int8, b *int8, kquads int, out *[simdGroup]int32)

// gemmIntSDOT is gemmInt for the SDOT layout: a holds rows rows of raw
// int8 input at stride p.lda (padding taps the input zero point), and the
// epilogue's bias includes the input-offset fold. Four rows × sixteen
// channels per kernel call, single rows for the remainder.
func gemmIntSDOT[T quantElem](a []int8, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	lda, n := p.lda, p.n
	kq := lda / 4
	if rows == 0 || len(a) < rows*lda || len(out) < rows*n {
		return
	}
	var acc [4 * simdGroup]int32
	size := kq * simdGroup * 4
	for g := gLo; g < gHi; g++ {
		b := p.w8[g*size : (g+1)*size]
		r := 0
		for ; r+4 <= rows; r += 4 {
			dotS8x4x16(&a[r*lda], uintptr(lda), &b[0], kq, &acc)
			storeTile(e, &acc, 4, g, out[r*n:], n)
		}
		for ; r < rows; r++ {
			dotS8x1x16(&a[r*lda], &b[0], kq, (*[simdGroup]int32)(acc[:simdGroup]))
			storeTile(e, &acc, 1, g, out[r*n:], n)
		}
	}
}
