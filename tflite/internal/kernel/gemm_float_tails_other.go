//go:build !amd64 && !arm64

package kernel

// Without the assembly kernels the order tails run floatSumOrder.sum one
// output at a time; these are never called.

func splitDotF32x4x4(a *float32, lda uintptr, w *float32, kpairs, tail int, out *[splitTileRows * 4]float32) {
	panic("kernel: splitDotF32x4x4 without SIMD")
}

func laneSumsF32x4(w *float32, ws uintptr, x *float32, xs uintptr, quads int, out *[16]float32) {
	panic("kernel: laneSumsF32x4 without SIMD")
}

func floatTailSIMD() bool { return false }
