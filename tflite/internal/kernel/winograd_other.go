//go:build !amd64 && !arm64

package kernel

// winoDot is never reached: newConv2DWinograd needs intSIMD, never true
// on this architecture.
func winoDot(v []int16, lda int, p *packedInt, kp, grp int, m *winoProducts) {
	panic("kernel: Winograd convolution on an architecture without SIMD kernels")
}
