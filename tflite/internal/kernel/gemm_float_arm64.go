package kernel

// storeFloatTileSIMD has no NEON form yet: storeFloatTile stores row by
// row.
func storeFloatTileSIMD(e *floatEpilogue, acc *[4 * simdGroup]float32, rows, c0 int, out []float32, n int) bool {
	return false
}

// dotF32Half4 has no NEON form yet: the full 16-channel kernel runs.
func dotF32Half4(a *float32, lda uintptr, b *float32, k int, acc *[4 * simdGroup]float32) bool {
	return false
}
