package kernel

import "unsafe"

// dw3x3SIMD computes acc = bias + Σ_taps x·w for the first multiple of 8
// channels of an interior 3×3 pixel whose top-left tap is in[p:], taps dx
// and dy elements apart; w is [9][C]. It returns how many channels it
// did; the caller finishes the rest.
//
// Blocks of 16 channels use the VPMADDWD kernel on w3 (packDepthwise3x3's
// layout, C/16 blocks); a remaining block of 8 uses VPMULLD on w.
func dw3x3SIMD[T quantElem](in []T, p, dx, dy int, w []int32, w3 []int16, C int, bias, acc []int32) int {
	if C < 8 {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = in[p+2*dy+2*dx+C-1]
	_ = w[9*C-1]
	_ = bias[C-1]
	_ = acc[C-1]
	done := 0
	if b16 := C / 16; b16 > 0 && len(w3) >= b16*dw3x3BlockWeights {
		if isUnsigned[T]() {
			dw3x3MaddUint8((*uint8)(unsafe.Pointer(&in[p])), uintptr(dx), uintptr(dy), &w3[0], &bias[0], &acc[0], b16)
		} else {
			dw3x3MaddInt8((*int8)(unsafe.Pointer(&in[p])), uintptr(dx), uintptr(dy), &w3[0], &bias[0], &acc[0], b16)
		}
		done = b16 * 16
	}
	if b8 := (C - done) / 8; b8 > 0 {
		c := done
		if isUnsigned[T]() {
			dw3x3Uint8((*uint8)(unsafe.Pointer(&in[p+c])), uintptr(dx), uintptr(dy), &w[c], uintptr(4*C), &bias[c], &acc[c], b8)
		} else {
			dw3x3Int8((*int8)(unsafe.Pointer(&in[p+c])), uintptr(dx), uintptr(dy), &w[c], uintptr(4*C), &bias[c], &acc[c], b8)
		}
		done += b8 * 8
	}
	return done
}

//go:noescape
func dw3x3MaddInt8(in *int8, dx, dy uintptr, w *int16, bias *int32, acc *int32, blocks int)

//go:noescape
func dw3x3MaddUint8(in *uint8, dx, dy uintptr, w *int16, bias *int32, acc *int32, blocks int)
