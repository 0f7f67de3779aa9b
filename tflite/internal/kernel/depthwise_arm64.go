package kernel

import "unsafe"

// The NEON 3×3 depthwise entry; the glue shared with amd64 is in
// depthwise_simd.go. NEON multiplies int16 lanes into int32 without the
// pair-interleaved weights VPMADDWD needs, so it reads the int32 weights
// w directly and ignores w3.

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
