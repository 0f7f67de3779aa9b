package kernel

//go:noescape
func addClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)

//go:noescape
func subClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)

//go:noescape
func clampF32x8(dst, x *float32, blocks int, lo, hi float32)

// addClampF32SIMD does the first multiple of 8 elements of addClampF32s
// and returns how many it did; x and y are at least as long as dst.
func addClampF32SIMD(dst, x, y []float32, lo, hi float32) int {
	blocks := len(dst) / 8
	if blocks == 0 {
		return 0
	}
	_, _ = x[blocks*8-1], y[blocks*8-1]
	addClampF32x8(&dst[0], &x[0], &y[0], blocks, lo, hi)
	return blocks * 8
}

// subClampF32SIMD is addClampF32SIMD for x − y.
func subClampF32SIMD(dst, x, y []float32, lo, hi float32) int {
	blocks := len(dst) / 8
	if blocks == 0 {
		return 0
	}
	_, _ = x[blocks*8-1], y[blocks*8-1]
	subClampF32x8(&dst[0], &x[0], &y[0], blocks, lo, hi)
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
