package kernel

import "unsafe"

//go:noescape
func addClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)

//go:noescape
func subClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)

//go:noescape
func clampF32x8(dst, x *float32, blocks int, lo, hi float32)

// addClampF32SIMD does the first multiple of 8 elements of addClampF32s
// and returns how many it did; x and y are at least as long as dst.
func addClampF32SIMD(dst, x, y []float32, lo, hi float32) int {
	return binClampF32SIMD(dst, x, y, lo, hi, false)
}

// subClampF32SIMD is addClampF32SIMD for x − y.
func subClampF32SIMD(dst, x, y []float32, lo, hi float32) int {
	return binClampF32SIMD(dst, x, y, lo, hi, true)
}

// binClampF32SIMD checks the bounds once and runs the add or subtract
// kernel on the whole blocks of 8. (Direct calls, not a func value, keep
// the //go:noescape promise, so stack arrays passed in stay there.)
func binClampF32SIMD(dst, x, y []float32, lo, hi float32, sub bool) int {
	blocks := len(dst) / 8
	if blocks == 0 {
		return 0
	}
	_, _ = x[blocks*8-1], y[blocks*8-1]
	if sub {
		subClampF32x8(&dst[0], &x[0], &y[0], blocks, lo, hi)
	} else {
		addClampF32x8(&dst[0], &x[0], &y[0], blocks, lo, hi)
	}
	return blocks * 8
}

// clampF32SIMD does the first multiple of 8 elements of clampF32s.
func clampF32SIMD(dst, x []float32, lo, hi float32) int {
	blocks := len(dst) / 8
	if blocks == 0 {
		return 0
	}
	_ = x[blocks*8-1]
	clampF32x8(&dst[0], &x[0], blocks, lo, hi)
	return blocks * 8
}

//go:noescape
func maxIntoF32x8(dst, src *float32, blocks int)

//go:noescape
func maxIntoI8x32(dst, src *int8, blocks int)

//go:noescape
func maxIntoU8x32(dst, src *uint8, blocks int)

// maxIntoF32SIMD does the first multiple of 8 elements of maxIntoF32s.
func maxIntoF32SIMD(dst, src []float32) int {
	blocks := len(dst) / 8
	if blocks == 0 {
		return 0
	}
	_ = src[blocks*8-1]
	maxIntoF32x8(&dst[0], &src[0], blocks)
	return blocks * 8
}

// maxIntoIntSIMD does the first multiple of 32 elements of maxIntoInts.
func maxIntoIntSIMD[T int8 | uint8](dst, src []T) int {
	blocks := len(dst) / 32
	if blocks == 0 {
		return 0
	}
	_ = src[blocks*32-1]
	if isUnsigned[T]() {
		maxIntoU8x32((*uint8)(unsafe.Pointer(&dst[0])), (*uint8)(unsafe.Pointer(&src[0])), blocks)
	} else {
		maxIntoI8x32((*int8)(unsafe.Pointer(&dst[0])), (*int8)(unsafe.Pointer(&src[0])), blocks)
	}
	return blocks * 32
}

//go:noescape
func storeTileF32(out *float32, ldo uintptr, acc *float32, rows int, bias *float32, lo, hi float32)

//go:noescape
func storeTileF32x8(out *float32, ldo uintptr, acc *float32, rows int, bias *float32, lo, hi float32)

// storeFloatTileSIMD stores a 16-channel float tile with the AVX2
// epilogue and reports that it did: a full block at once, a last block
// with 8 to 15 live channels as 8 lanes plus the rest row by row.
func storeFloatTileSIMD(e *floatEpilogue, acc *[4 * simdGroup]float32, rows, c0 int, out []float32, n int) bool {
	switch live := n - c0; {
	case live >= simdGroup:
		_ = out[(rows-1)*n+c0+simdGroup-1]
		_ = e.bias[c0+simdGroup-1]
		storeTileF32(&out[c0], uintptr(4*n), &acc[0], rows, &e.bias[c0], e.actMin, e.actMax)
	case live >= simdGroup/2:
		_ = out[(rows-1)*n+c0+simdGroup/2-1]
		_ = e.bias[c0+simdGroup/2-1]
		storeTileF32x8(&out[c0], uintptr(4*n), &acc[0], rows, &e.bias[c0], e.actMin, e.actMax)
		for i := 0; i < rows; i++ {
			c := c0 + simdGroup/2
			e.storeRow(out[i*n:(i+1)*n], c, acc[i*simdGroup+simdGroup/2:(i+1)*simdGroup])
		}
	default:
		return false
	}
	return true
}
