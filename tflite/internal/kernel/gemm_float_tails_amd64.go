package kernel

//go:noescape
func splitDotF32x4x4(a *float32, lda uintptr, w *float32, kpairs, tail int, out *[splitTileRows * 4]float32)

//go:noescape
func laneSumsF32x4(w *float32, ws uintptr, x *float32, xs uintptr, quads int, out *[16]float32)

// floatTailSIMD reports whether the order tails use the AVX2 kernels.
func floatTailSIMD() bool { return intSIMD() }
