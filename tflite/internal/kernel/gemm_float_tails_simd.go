//go:build amd64 || arm64

package kernel

// The order-tail kernels both assembly ports provide with the same
// arguments and contracts (gemm_float_tails_amd64.s with AVX2,
// gemm_float_tails_arm64.s with NEON); the Go side, gemm_float_tails.go,
// is shared.

//go:noescape
func splitDotF32x4x4(a *float32, lda uintptr, w *float32, kpairs, tail int, out *[splitTileRows * 4]float32)

//go:noescape
func laneSumsF32x4(w *float32, ws uintptr, x *float32, xs uintptr, quads int, out *[16]float32)

// floatTailSIMD reports whether the order tails use the assembly kernels.
func floatTailSIMD() bool { return intSIMD() }
