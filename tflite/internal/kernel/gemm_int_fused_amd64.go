package kernel

import "unsafe"

//go:noescape
func dotReqI8S(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqI8U(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqI16S(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqI16U(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqHalfI8S(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqHalfI8U(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqHalfI16S(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqHalfI16U(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

// gemmIntFused computes the 4-row tiles of rows rows of channel block g
// (a full block of 16) with the fused dot-and-requantize kernels
// (gemm_int_fused_amd64.s) and returns how many rows it did: 0 when the
// short requantization does not apply (see intEpilogue.setBias), which
// leaves the tiles to requant16, or when the block is a partial one
// other than exactly 8 channels.
func gemmIntFused[T quantElem](a []int16, rows, lda int, b8 []int8, b16 []int16, kp, g int, e *intEpilogue, out []T, n int) int {
	tiles := rows / 4
	live := min(n-g*simdGroup, simdGroup)
	if tiles == 0 || !e.shortFits || (live != simdGroup && live != simdGroup/2) {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = a[(tiles*4-1)*lda+kp*2-1]
	_ = out[(tiles*4-1)*n+g*simdGroup+live-1]
	o := (*byte)(unsafe.Pointer(&out[g*simdGroup]))
	if live < simdGroup {
		switch {
		case b8 != nil && !isUnsigned[T]():
			dotReqHalfI8S(&a[0], uintptr(2*lda), &b8[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
		case b8 != nil:
			dotReqHalfI8U(&a[0], uintptr(2*lda), &b8[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
		case !isUnsigned[T]():
			dotReqHalfI16S(&a[0], uintptr(2*lda), &b16[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
		default:
			dotReqHalfI16U(&a[0], uintptr(2*lda), &b16[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
		}
		return tiles * 4
	}
	switch {
	case b8 != nil && !isUnsigned[T]():
		dotReqI8S(&a[0], uintptr(2*lda), &b8[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
	case b8 != nil:
		dotReqI8U(&a[0], uintptr(2*lda), &b8[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
	case !isUnsigned[T]():
		dotReqI16S(&a[0], uintptr(2*lda), &b16[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
	default:
		dotReqI16U(&a[0], uintptr(2*lda), &b16[0], kp, tiles, &e.short[g], o, uintptr(n), &e.rc)
	}
	return tiles * 4
}
