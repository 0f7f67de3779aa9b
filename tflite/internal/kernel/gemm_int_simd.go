//go:build amd64 || arm64

package kernel

import "unsafe"

// The Go side of the SIMD integer GEMM, shared by the AVX2
// (gemm_int_amd64.s) and NEON (gemm_int_arm64.s) kernels, which take the
// same arguments and return the same sums.

//go:noescape
func dotI16x4x16(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)

//go:noescape
func dotI16x1x16(a *int16, b *int16, kpairs int, out *[16]int32)

//go:noescape
func dotI8x4x16(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)

//go:noescape
func dotI8x1x16(a *int16, b *int8, kpairs int, out *[16]int32)

// gemmIntSIMD is gemmInt on the SIMD layout: four rows × sixteen channels
// per kernel call, single rows for the remainder.
func gemmIntSIMD[T quantElem](a []int16, rows int, p *packedInt, gLo, gHi int, e *intEpilogue, out []T) {
	lda, n := p.lda, p.n
	kp := lda / 2
	if rows == 0 || len(a) < rows*lda || len(out) < rows*n {
		return
	}
	var acc [4 * simdGroup]int32
	size := kp * simdGroup * 2
	for g := gLo; g < gHi; g++ {
		var b8 []int8
		var b16 []int16
		if p.w8 != nil {
			b8 = p.w8[g*size : (g+1)*size]
		} else {
			b16 = p.w16[g*size : (g+1)*size]
		}
		// A last block with 8 live channels or fewer takes the
		// half-width kernel where there is one.
		half := n-g*simdGroup <= simdGroup/2
		r := gemmIntFused(a, rows, lda, b8, b16, kp, g, e, out, n)
		for ; r+4 <= rows; r += 4 {
			switch {
			case half && dotHalf4(&a[r*lda], uintptr(lda*2), b8, b16, kp, &acc):
			case b8 != nil:
				dotI8x4x16(&a[r*lda], uintptr(lda*2), &b8[0], kp, &acc)
			default:
				dotI16x4x16(&a[r*lda], uintptr(lda*2), &b16[0], kp, &acc)
			}
			storeTile(e, &acc, 4, g, out[r*n:], n)
		}
		for ; r < rows; r++ {
			if b8 != nil {
				dotI8x1x16(&a[r*lda], &b8[0], kp, (*[simdGroup]int32)(acc[:simdGroup]))
			} else {
				dotI16x1x16(&a[r*lda], &b16[0], kp, (*[simdGroup]int32)(acc[:simdGroup]))
			}
			storeTile(e, &acc, 1, g, out[r*n:], n)
		}
	}
}

// storeTile requantizes rows rows (1 to 4) of channel block g's sums in
// acc into out, which starts at the tile's first row and has n channels
// per row. A partial last block goes through a buffer, so that only the
// n − 16g real channels are written.
func storeTile[T quantElem](e *intEpilogue, acc *[4 * simdGroup]int32, rows, g int, out []T, n int) {
	c0 := g * simdGroup
	if c0+simdGroup <= n {
		_ = out[(rows-1)*n+c0+simdGroup-1]
		requant16(&acc[0], rows, &e.blocks[g], 0, (*byte)(unsafe.Pointer(&out[c0])), uintptr(n), &e.rc)
		return
	}
	var part [4 * simdGroup]byte
	requant16(&acc[0], rows, &e.blocks[g], 0, &part[0], simdGroup, &e.rc)
	for i := 0; i < rows; i++ {
		copyBytes(out[i*n+c0:(i+1)*n], part[i*simdGroup:])
	}
}

//go:noescape
func widenInt8(dst *int16, src *int8, blocks int, off int16)

//go:noescape
func widenUint8(dst *int16, src *uint8, blocks int, off int16)

// convWidenSIMD is convWiden with SIMD for runs of 16 and more.
func convWidenSIMD[T quantElem](dst []int16, src []T, off int16) {
	done := 0
	if blocks := len(src) / 16; blocks > 0 {
		_ = dst[blocks*16-1]
		if isUnsigned[T]() {
			widenUint8(&dst[0], (*uint8)(unsafe.Pointer(&src[0])), blocks, off)
		} else {
			widenInt8(&dst[0], (*int8)(unsafe.Pointer(&src[0])), blocks, off)
		}
		done = blocks * 16
	}
	convWiden(dst[done:], src[done:], off)
}
