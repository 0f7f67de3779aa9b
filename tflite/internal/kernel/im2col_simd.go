//go:build amd64 || arm64

package kernel

import "unsafe"

// The im2col run copy both assembly ports provide with the same arguments
// and contract (im2col_amd64.s, im2col_arm64.s). Plain byte moves, which
// every amd64 and arm64 CPU has, so unlike the arithmetic kernels it does
// not depend on intSIMD.

//go:noescape
func im2colCopy(dst *byte, lda uintptr, src *byte, pxStep, tapStep uintptr, segs, segBytes, n, tail int)

// im2colRunSIMD is im2colRun in assembly (see im2colCopy); it reports
// whether it ran.
func im2colRunSIMD[D rowElem](dst, data []D, p, n, lda, k, rowLen, filterH, tapStep, pxStep int) bool {
	if n == 0 || rowLen == 0 {
		return false
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = dst[n*lda-1]
	_ = data[p+(n-1)*pxStep+(filterH-1)*tapStep+rowLen-1]
	if k != filterH*rowLen {
		panic("kernel: im2col row length")
	}
	size := int(unsafe.Sizeof(dst[0]))
	im2colCopy((*byte)(unsafe.Pointer(&dst[0])), uintptr(lda*size), (*byte)(unsafe.Pointer(&data[p])),
		uintptr(pxStep*size), uintptr(tapStep*size), filterH, rowLen*size, n, (lda-k)*size)
	return true
}
