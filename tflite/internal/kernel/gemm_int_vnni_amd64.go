package kernel

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The amd64 side of the dot4 path (gemm_int_dot4.go): VPDPBUSD
// multiplies unsigned bytes by signed ones and adds groups of four
// products into int32 lanes exactly, without the saturation of
// VPMADDUBSW. It comes in two encodings, with the same kernels
// (gemm_int_vnni_amd64.s) on ymm registers: EVEX with AVX512-VNNI and
// AVX512VL (server cores), VEX with AVX-VNNI (client cores without
// AVX-512, Alder Lake on). The kernels read each int8 input a as the
// unsigned a + 128.

// dot4InputBias is what the dot4 kernels add to every input byte: 128,
// the sign-bit flip that makes int8 input unsigned for VPDPBUSD.
const dot4InputBias = 128

// dot4CPU reports whether the CPU (and OS) run VPDPBUSD on ymm registers
// in either encoding.
func dot4CPU() bool { return vnniEVEX() || cpu.X86.HasAVXVNNI }

// vnniEVEX reports whether the EVEX kernels run: AVX512-VNNI on ymm
// registers. Where both encodings run, it is preferred; they compute the
// same sums.
func vnniEVEX() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI
}

//go:noescape
func dotS8x4x16EVEX(a *int8, lda uintptr, b *int8, kquads int, out *[4 * simdGroup]int32)

//go:noescape
func dotS8x1x16EVEX(a *int8, b *int8, kquads int, out *[simdGroup]int32)

//go:noescape
func dotS8x4x16VEX(a *int8, lda uintptr, b *int8, kquads int, out *[4 * simdGroup]int32)

//go:noescape
func dotS8x1x16VEX(a *int8, b *int8, kquads int, out *[simdGroup]int32)

//go:noescape
func dotReqVNNI(a *int8, lda uintptr, b *int8, kquads, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

//go:noescape
func dotReqVNNIVEX(a *int8, lda uintptr, b *int8, kquads, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)

// dotS8x4x16 sums four rows × sixteen channels, kquads groups of four
// taps, into out (row r's channels at 16r), in the encoding the CPU runs.
func dotS8x4x16(a *int8, lda uintptr, b *int8, kquads int, out *[4 * simdGroup]int32) {
	if vnniEVEX() {
		dotS8x4x16EVEX(a, lda, b, kquads, out)
		return
	}
	dotS8x4x16VEX(a, lda, b, kquads, out)
}

// dotS8x1x16 is dotS8x4x16 for one row.
func dotS8x1x16(a *int8, b *int8, kquads int, out *[simdGroup]int32) {
	if vnniEVEX() {
		dotS8x1x16EVEX(a, b, kquads, out)
		return
	}
	dotS8x1x16VEX(a, b, kquads, out)
}

// gemmDot4Fused computes the 4-row tiles of rows rows of channel block g
// with the fused VNNI kernel (products, short requantization, pack and
// clamp in registers; gemm_int_fused_amd64.s) and returns how many rows
// it did: 0 when the short requantization does not apply (see
// intEpilogue.setBias) or the block is a partial one, which leaves them
// to dotS8x4x16 and storeTile.
func gemmDot4Fused[T quantElem](a []int8, rows, lda int, b []int8, kq, g int, e *intEpilogue, out []T, n int) int {
	tiles := rows / 4
	if tiles == 0 || kq == 0 || !e.shortFits || n-g*simdGroup < simdGroup || isUnsigned[T]() {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = a[(tiles*4-1)*lda+kq*4-1]
	_ = b[kq*simdGroup*4-1]
	_ = out[(tiles*4-1)*n+g*simdGroup+simdGroup-1]
	o := (*byte)(unsafe.Pointer(&out[g*simdGroup]))
	if vnniEVEX() {
		dotReqVNNI(&a[0], uintptr(lda), &b[0], kq, tiles, &e.short[g], o, uintptr(n), &e.rc)
	} else {
		dotReqVNNIVEX(&a[0], uintptr(lda), &b[0], kq, tiles, &e.short[g], o, uintptr(n), &e.rc)
	}
	return tiles * 4
}
