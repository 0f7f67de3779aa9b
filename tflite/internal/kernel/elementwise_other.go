//go:build !amd64

package kernel

// Without assembly the element-wise loops run entirely in Go: these
// report that they did nothing.

func addClampF32SIMD(dst, x, y []float32, lo, hi float32) int { return 0 }
func subClampF32SIMD(dst, x, y []float32, lo, hi float32) int { return 0 }
func clampF32SIMD(dst, x []float32, lo, hi float32) int       { return 0 }
func maxIntoF32SIMD(dst, src []float32) int                   { return 0 }
func maxIntoIntSIMD[T int8 | uint8](dst, src []T) int         { return 0 }
