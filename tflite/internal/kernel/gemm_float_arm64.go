package kernel

// storeFloatTile writes rows rows of a 16-channel float GEMM tile (acc,
// 16 values a row) to out at channel c0, n channels a row, through e.
func storeFloatTile(e *floatEpilogue, acc *[4 * simdGroup]float32, rows, c0 int, out []float32, n int) {
	for i := 0; i < rows; i++ {
		e.storeRow(out[i*n:(i+1)*n], c0, acc[i*simdGroup:(i+1)*simdGroup])
	}
}

// dotF32Half4 has no NEON form yet: the full 16-channel kernel runs.
func dotF32Half4(a *float32, lda uintptr, b *float32, k int, acc *[4 * simdGroup]float32) bool {
	return false
}
