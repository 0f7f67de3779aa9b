//go:build amd64 || arm64

package kernel

import "unsafe"

// winoDot computes M of one group of winoTiles tiles for channel block
// grp of U (packWinograd): for each position ξ the four tiles' V rows
// (v[ξ·pix], lda elements apart) times U's ξ slice, kp input-channel
// pairs, into m[ξ]. A last block with 8 live channels or fewer takes
// the half-width kernel where there is one; its other lanes keep stale,
// unused values. The 16 calls step raw pointers: the bounds are checked
// once up front, and this loop runs once per four tiles and block.
func winoDot(v []int16, lda int, p *packedInt, kp, grp int, m *winoProducts) {
	size := kp * simdGroup * 2
	pix := lda / 16
	_ = v[3*lda+15*pix+2*kp-1]
	b := p.w16[grp*16*size : (grp+1)*16*size]
	a, w := unsafe.Pointer(&v[0]), unsafe.Pointer(&b[0])
	stride := uintptr(2 * lda)
	if p.n-grp*simdGroup <= simdGroup/2 {
		for xi := range m {
			if !dotHalf4((*int16)(unsafe.Add(a, 2*xi*pix)), stride, nil, b[xi*size:(xi+1)*size], kp, &m[xi]) {
				dotI16x4x16((*int16)(unsafe.Add(a, 2*xi*pix)), stride, (*int16)(unsafe.Add(w, 2*xi*size)), kp, &m[xi])
			}
		}
		return
	}
	for xi := range m {
		dotI16x4x16((*int16)(unsafe.Add(a, 2*xi*pix)), stride, (*int16)(unsafe.Add(w, 2*xi*size)), kp, &m[xi])
	}
}
