//go:build !amd64

package kernel

// Only amd64 has the depthwise row kernels; elsewhere interior pixels go
// through the per-pixel path (interior3x3), which is why dwRowSIMD is
// false here.

// dwRowSIMD reports whether this architecture has the depthwise row
// kernels.
const dwRowSIMD = false

// dwRow3x3SIMD is never reached: depthwiseFast takes the row path only
// when dwRowSIMD is true.
func dwRow3x3SIMD[T quantElem](in []T, p, dx, dy, sx, C, ldo int, w3 []int16, blocks []rqBlock, fast []rqShortBlock, rc *rqConsts, out []T, pixels int) {
	panic("kernel: depthwise row kernel on an architecture without it")
}
