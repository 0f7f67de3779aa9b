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
// with the fused dot-and-requantize kernels (gemm_int_fused_amd64.s) and
// returns how many rows it did: 0 when the short requantization does not
// apply (see intEpilogue.setBias), which leaves the tiles to requant16, or
// when the block is a partial one other than exactly 8 channels. (Running
// a last tile of 1-3 rows whole, on garbage rows, was measured slower
// than the single-row kernel for large K.)
func gemmIntFused[T quantElem](a []int16, rows, lda int, b8 []int8, b16 []int16, kp, g int, e *intEpilogue, out []T, n int) int {
	tiles := rows / 4
	live := min(n-g*simdGroup, simdGroup)
	if tiles == 0 || !e.shortFits || (live != simdGroup && live != simdGroup/2) {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = a[(tiles*4-1)*lda+kp*2-1]
	_ = out[(tiles*4-1)*n+g*simdGroup+live-1]
	dotReq[T](&a[0], lda, b8, b16, kp, tiles, &e.short[g], (*byte)(unsafe.Pointer(&out[g*simdGroup])), n, &e.rc, live)
	return tiles * 4
}

// dotReq runs tiles 4-row tiles of the fused kernel for T's signedness,
// the weights' width (b8 or b16) and a block of live = 16 or 8 channels:
// a points at the first row, o at the first output byte, ldo bytes per
// output row.
func dotReq[T quantElem](a *int16, lda int, b8 []int8, b16 []int16, kp, tiles int, blk *rqShortBlock, o *byte, ldo int, rc *rqConsts, live int) {
	s, l := uintptr(2*lda), uintptr(ldo)
	switch {
	case live < simdGroup && b8 != nil && !isUnsigned[T]():
		dotReqHalfI8S(a, s, &b8[0], kp, tiles, blk, o, l, rc)
	case live < simdGroup && b8 != nil:
		dotReqHalfI8U(a, s, &b8[0], kp, tiles, blk, o, l, rc)
	case live < simdGroup && !isUnsigned[T]():
		dotReqHalfI16S(a, s, &b16[0], kp, tiles, blk, o, l, rc)
	case live < simdGroup:
		dotReqHalfI16U(a, s, &b16[0], kp, tiles, blk, o, l, rc)
	case b8 != nil && !isUnsigned[T]():
		dotReqI8S(a, s, &b8[0], kp, tiles, blk, o, l, rc)
	case b8 != nil:
		dotReqI8U(a, s, &b8[0], kp, tiles, blk, o, l, rc)
	case !isUnsigned[T]():
		dotReqI16S(a, s, &b16[0], kp, tiles, blk, o, l, rc)
	default:
		dotReqI16U(a, s, &b16[0], kp, tiles, blk, o, l, rc)
	}
}
