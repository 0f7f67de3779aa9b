//go:build amd64 || arm64

package kernel

// The dot4 path of the integer GEMM: on CPUs with an int8 dot-product
// instruction, int8 CONV_2D and FULLY_CONNECTED multiply raw int8 input
// rows by int8 weights four taps per instruction, instead of widening
// both to int16 first:
//
//   - arm64 with the dot-product extension: SDOT, signed × signed
//     (gemm_int_sdot_arm64.s);
//   - amd64 with AVX512-VNNI or AVX-VNNI: VPDPBUSD, unsigned × signed,
//     on ymm registers, EVEX- or VEX-encoded (gemm_int_vnni_amd64.s). The
//     kernels flip each input byte's sign bit, reading a + 128 as
//     unsigned.
//
// The kernels of both return Σ (a + dot4InputBias)·w. packIntSIMD's dot4
// layout keeps Σ w per channel, and intEpilogue folds
// (inputOffset − dot4InputBias)·Σ w into the bias, which makes the sums
// TFLite's Σ (a + inputOffset)·w modulo 2³², all an int32 keeps.

// intDot4 reports whether int8 weights whose offset values fit int8 are
// packed for the dot4 kernels: SIMD is in use (intSIMD) and the CPU has
// the dot product (dot4CPU).
func intDot4() bool { return dot4CPU() && intSIMD() }

// gemmIntDot4 is gemmInt for the dot4 layout: a holds rows rows of raw
// int8 input at stride p.lda (padding taps the input zero point), and the
// epilogue's bias includes the input-offset fold. Blocks of 4-row tiles
// go to the fused kernels where there are some (gemmDot4Fused); the
// other rows take four rows × sixteen channels per kernel call, single
// rows for the remainder.
func gemmIntDot4[T quantElem](a []int8, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	lda, n := p.lda, p.n
	kq := lda / 4
	if rows == 0 || len(a) < rows*lda || len(out) < rows*n {
		return
	}
	var acc [4 * simdGroup]int32
	size := kq * simdGroup * 4
	for g := gLo; g < gHi; g++ {
		b := p.w8[g*size : (g+1)*size]
		r := gemmDot4Fused(a, rows, lda, b, kq, g, e, out, n)
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
