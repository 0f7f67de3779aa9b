//go:build amd64 || arm64

package kernel

import "unsafe"

// The Go side of the depthwise kernels both assembly ports provide with
// the same arguments and contracts (depthwise_amd64.s, depthwise_arm64.s);
// only dw3x3SIMD differs per architecture.

//go:noescape
func dw3x3Int8(in *int8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)

//go:noescape
func dw3x3Uint8(in *uint8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)

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
