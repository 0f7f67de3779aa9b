//go:build !amd64 && !arm64

package kernel

// im2colRunSIMD has no assembly here: im2colRun copies in Go.
func im2colRunSIMD[D rowElem](dst, data []D, p, n, lda, k, rowLen, filterH, tapStep, pxStep int) bool {
	return false
}
