//go:build !amd64

package kernel

// gemmIntFused has no assembly here: every tile takes the dot kernel and
// requant16 separately.
func gemmIntFused[T quantElem](a []int16, rows, lda int, b8 []int8, b16 []int16, kp, g int, e *intEpilogue, out []T, n int) int {
	return 0
}
