package kernel

// dotHalf4 has no NEON form yet: the full 16-channel kernel runs instead.
func dotHalf4(a *int16, lda uintptr, b8 []int8, b16 []int16, kp int, acc *[4 * simdGroup]int32) bool {
	return false
}
