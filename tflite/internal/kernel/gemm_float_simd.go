//go:build amd64 || arm64

package kernel

//go:noescape
func dotF32x4x16(a *float32, lda uintptr, b *float32, k int, out *[64]float32)

//go:noescape
func dotF32x1x16(a *float32, b *float32, k int, out *[16]float32)

// gemmFloatSIMD is gemmFloat on the SIMD layout (gemm_float_amd64.s,
// gemm_float_arm64.s): four rows × sixteen channels per kernel call,
// single rows for the remainder. Blocks from channel live on are skipped,
// and a block with 8 live channels or fewer runs half-width; what lands
// in the channels past live is for the caller to overwrite.
func gemmFloatSIMD(a []float32, rows int, p *packedFloat, gLo, gHi, live int, e *floatEpilogue, out []float32) {
	k, n := p.k, p.n
	if rows == 0 || len(a) < rows*k || len(out) < rows*n {
		return
	}
	var acc [4 * simdGroup]float32
	for g := gLo; g < gHi; g++ {
		b := p.w16[g*k*simdGroup : (g+1)*k*simdGroup]
		c0 := g * simdGroup
		if c0 >= live {
			break
		}
		// A last block with 8 live channels or fewer takes the
		// half-width kernel where there is one.
		half := min(n, live)-c0 <= simdGroup/2
		r := 0
		for ; r+4 <= rows; r += 4 {
			if !half || !dotF32Half4(&a[r*k], uintptr(4*k), &b[0], k, &acc) {
				dotF32x4x16(&a[r*k], uintptr(4*k), &b[0], k, &acc)
			}
			storeFloatTile(e, &acc, 4, c0, out[r*n:], n)
		}
		for ; r < rows; r++ {
			dotF32x1x16(&a[r*k], &b[0], k, (*[simdGroup]float32)(acc[:simdGroup]))
			e.storeRow(out[r*n:(r+1)*n], c0, acc[:simdGroup])
		}
	}
}

// storeFloatTile writes rows rows of a 16-channel float GEMM tile (acc,
// 16 values a row) to out at channel c0, n channels a row, through e.
func storeFloatTile(e *floatEpilogue, acc *[4 * simdGroup]float32, rows, c0 int, out []float32, n int) {
	if e.simd && storeFloatTileSIMD(e, acc, rows, c0, out, n) {
		return
	}
	for i := 0; i < rows; i++ {
		e.storeRow(out[i*n:(i+1)*n], c0, acc[i*simdGroup:(i+1)*simdGroup])
	}
}
