package kernel

import "unsafe"

// The Go side of the NEON depthwise kernels (depthwise_arm64.s). Their
// assembly has the arguments and contracts of depthwise_amd64.s; only the
// 3×3 entry differs: NEON multiplies int16 lanes into int32 without the
// pair-interleaved weights VPMADDWD needs, so it reads the int32 weights
// w directly and ignores w3.

//go:noescape
func dw3x3Int8(in *int8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)

//go:noescape
func dw3x3Uint8(in *uint8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)

// dw3x3SIMD computes acc = bias + Σ_taps x·w for the first multiple of 8
// channels of an interior 3×3 pixel whose top-left tap is in[p:], taps dx
// and dy elements apart; w is [9][C]. It returns how many channels it
// did; the caller finishes the rest. w3 (the AVX2 layout) is not used.
func dw3x3SIMD[T quantElem](in []T, p, dx, dy int, w []int32, w3 []int16, C int, bias, acc []int32) int {
	blocks := C / 8
	if blocks == 0 {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = in[p+2*dy+2*dx+C-1]
	_ = w[9*C-1]
	_ = bias[C-1]
	_ = acc[C-1]
	if isUnsigned[T]() {
		dw3x3Uint8((*uint8)(unsafe.Pointer(&in[p])), uintptr(dx), uintptr(dy), &w[0], uintptr(4*C), &bias[0], &acc[0], blocks)
	} else {
		dw3x3Int8((*int8)(unsafe.Pointer(&in[p])), uintptr(dx), uintptr(dy), &w[0], uintptr(4*C), &bias[0], &acc[0], blocks)
	}
	return blocks * 8
}

//go:noescape
func dwTapInt8(acc *int32, x *int8, w *int32, off int32, blocks int)

//go:noescape
func dwTapUint8(acc *int32, x *uint8, w *int32, off int32, blocks int)

//go:noescape
func dwTapF32(acc *float32, x *float32, w *float32, blocks int)

// dwTapSIMD adds (x + off)·w into acc for the first multiple of 8
// channels (all slices of equal length) and returns how many it did.
func dwTapSIMD[T quantElem](acc []int32, x []T, w []int32, off int32) int {
	blocks := len(acc) / 8
	if blocks == 0 {
		return 0
	}
	_ = x[blocks*8-1]
	_ = w[blocks*8-1]
	if isUnsigned[T]() {
		dwTapUint8(&acc[0], (*uint8)(unsafe.Pointer(&x[0])), &w[0], off, blocks)
	} else {
		dwTapInt8(&acc[0], (*int8)(unsafe.Pointer(&x[0])), &w[0], off, blocks)
	}
	return blocks * 8
}

// dwTapFloatSIMD adds x·w into acc for the first multiple of 8 channels
// and returns how many it did.
func dwTapFloatSIMD(acc, x, w []float32) int {
	blocks := len(acc) / 8
	if blocks == 0 {
		return 0
	}
	_ = x[blocks*8-1]
	_ = w[blocks*8-1]
	dwTapF32(&acc[0], &x[0], &w[0], blocks)
	return blocks * 8
}

//go:noescape
func dwPixelF32(x *float32, offs *int, taps int, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, blocks int)

// dwPixelFloatSIMD computes the first multiple of 8 channels of an
// interior float pixel: in[p:] is its first tap, offs the taps' offsets
// in elements·4 (bytes), w is [taps][C], bias nil or [C]. It returns how
// many channels it wrote to dst.
func dwPixelFloatSIMD(in []float32, p int, offs []int, w []float32, C int, bias []float32, lo, hi float32, dst []float32) int {
	blocks := C / 8
	if blocks == 0 || len(offs) == 0 {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = in[p+offs[len(offs)-1]/4+C-1]
	_ = w[len(offs)*C-1]
	_ = dst[C-1]
	var b *float32
	if bias != nil {
		_ = bias[C-1]
		b = &bias[0]
	}
	dwPixelF32(&in[p], &offs[0], len(offs), &w[0], uintptr(4*C), b, lo, hi, &dst[0], blocks)
	return blocks * 8
}
