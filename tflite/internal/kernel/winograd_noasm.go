//go:build !amd64

package kernel

// Without assembly transforms (arm64's NEON has none yet; other
// architectures never reach Winograd) the portable transforms run, and
// Winograd is not chosen on its own: it has only been measured to win
// with the AVX2 transforms.

// winogradFast reports whether winogradWins may choose Winograd.
const winogradFast = false

// winoInputSIMD is winoInput on all pix channels.
func winoInputSIMD(src []int16, rowStride, pix int, dst []int16, tiles int) {
	winoInput(src, rowStride, pix, pix, dst, tiles)
}

// winoOutputSIMD is winoOutput.
func winoOutputSIMD(m *winoProducts, y *winoRows) { winoOutput(m, y) }
