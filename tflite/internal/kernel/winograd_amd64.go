package kernel

// winogradFast reports whether winogradWins may choose Winograd: the AVX2
// transforms (winograd_amd64.s) make it pay.
const winogradFast = true

// winoInputAVX2 is winoInput on all channels of padded pixels of pix
// bytes (16·blocks int16), rows rowStride bytes apart; see
// winograd_amd64.s.
//
//go:noescape
func winoInputAVX2(src *int16, rowStride, pix uintptr, blocks int, dst *int16, tiles int)

// winoOutputAVX2 is winoOutput; see winograd_amd64.s.
//
//go:noescape
func winoOutputAVX2(m *winoProducts, y *winoRows)

// winoInputSIMD is winoInput on all pix channels (a multiple of 16) with
// AVX2. Only kernels prepared with intSIMD call it, so it does not ask
// again (that reads the environment).
func winoInputSIMD(src []int16, rowStride, pix int, dst []int16, tiles int) {
	if tiles <= 0 {
		return
	}
	// Bounds of the last element read and written.
	_ = src[3*rowStride+(2*tiles+1)*pix+pix-1]
	_ = dst[16*tiles*pix-1]
	winoInputAVX2(&src[0], uintptr(2*rowStride), uintptr(2*pix), pix/16, &dst[0], tiles)
}

// winoOutputSIMD is winoOutput with AVX2, for kernels prepared with
// intSIMD.
func winoOutputSIMD(m *winoProducts, y *winoRows) { winoOutputAVX2(m, y) }
