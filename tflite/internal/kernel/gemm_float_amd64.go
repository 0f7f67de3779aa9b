package kernel

//go:noescape
func dotF32x4x8(a *float32, lda uintptr, b *float32, k int, out *[64]float32)

// dotF32Half4 runs the float 4-row half-width kernel (channels 0-7 of a
// block, lanes 0-7 of each acc row) and reports that it did.
func dotF32Half4(a *float32, lda uintptr, b *float32, k int, acc *[4 * simdGroup]float32) bool {
	dotF32x4x8(a, lda, b, k, acc)
	return true
}
