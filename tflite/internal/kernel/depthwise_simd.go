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
