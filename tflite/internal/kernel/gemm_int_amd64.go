package kernel

//go:noescape
func dotI8x4x8(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)

//go:noescape
func dotI16x4x8(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)

// dotHalf4 runs the 4-row half-width kernel (channels 0-7 of a block in
// the SIMD layout, lanes 0-7 of each acc row) and reports that it did.
func dotHalf4(a *int16, lda uintptr, b8 []int8, b16 []int16, kp int, acc *[4 * simdGroup]int32) bool {
	if b8 != nil {
		dotI8x4x8(a, lda, &b8[0], kp, acc)
	} else {
		dotI16x4x8(a, lda, &b16[0], kp, acc)
	}
	return true
}
