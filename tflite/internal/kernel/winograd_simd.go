//go:build amd64 || arm64

package kernel

// winoDot computes M of one group of winoTiles tiles for channel block
// grp of U (packWinograd): for each position ξ the four tiles' V rows
// (v[ξ·pix], lda elements apart) times U's ξ slice, kp input-channel
// pairs, into m[ξ]. A last block with 8 live channels or fewer takes
// the half-width kernel where there is one; its other lanes keep stale,
// unused values.
func winoDot(v []int16, lda int, p *packedInt, kp, grp int, m *winoProducts) {
	size := kp * simdGroup * 2
	pix := lda / 16
	_ = v[3*lda+15*pix+2*kp-1]
	b := p.w16[grp*16*size : (grp+1)*16*size]
	half := p.n-grp*simdGroup <= simdGroup/2
	for xi := range m {
		a, w := &v[xi*pix], b[xi*size:(xi+1)*size]
		if half && dotHalf4(a, uintptr(2*lda), nil, w, kp, &m[xi]) {
			continue
		}
		dotI16x4x16(a, uintptr(2*lda), &w[0], kp, &m[xi])
	}
}
