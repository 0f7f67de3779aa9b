package kernel

// The transforms of the integer Winograd F(2×2, 3×3) convolution (see
// conv2d_winograd.go). With
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	2G = [2 0 0; 1 1 1; 1 −1 1; 0 0 2]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// a 4×4 input tile d and a 3×3 filter g give the 2×2 outputs
// Y = ¼·Aᵀ[(2G g 2Gᵀ) ⊙ (Bᵀ d B)]A, the standard identity with G scaled
// by 2 so that every matrix is integral. All three transforms use only
// additions, subtractions and doublings, so in int32 they hold exactly
// modulo 2³² whatever the values (see conv2d_winograd.go for the bound
// that makes the final ¼ exact).

// winoTiles is the number of tiles one dot-kernel call multiplies (its
// four A rows).
const winoTiles = 4

// winoFilter returns U = 2G g 2Gᵀ for the 3×3 filter g (row-major),
// position ξ = 4i + j at index ξ. Each row of 2G has absolute sum at most
// 3, so |U| ≤ 9·max|g|: 2295 for offset uint8 weights, within int16.
func winoFilter(g *[9]int32) [16]int32 {
	var t [4][3]int32 // 2G g
	for x := 0; x < 3; x++ {
		g0, g1, g2 := g[x], g[3+x], g[6+x]
		t[0][x], t[1][x], t[2][x], t[3][x] = 2*g0, g0+g1+g2, g0-g1+g2, 2*g2
	}
	var u [16]int32
	for i := 0; i < 4; i++ {
		r0, r1, r2 := t[i][0], t[i][1], t[i][2]
		u[4*i], u[4*i+1], u[4*i+2], u[4*i+3] = 2*r0, r0+r1+r2, r0-r1+r2, 2*r2
	}
	return u
}

// winoInput computes V = Bᵀ d B for tiles tiles along one image row and
// chans channels. d for tile t is the 4×4 pixels whose top-left one is
// src[2·t·pix], rows rowStride elements apart, pixels pix elements
// apart, channel c at +c. V of tile t, position ξ = 4i + j, channel c is
// stored at dst[(16t + ξ)·pix + c]: every tile's row of each position is
// as long as a padded pixel. |d| ≤ 255 gives |V| ≤ 4·255, within int16.
// This is the portable form of winoInputSIMD.
func winoInput(src []int16, rowStride, pix, chans int, dst []int16, tiles int) {
	for t := 0; t < tiles; t++ {
		s := src[2*t*pix:]
		v := dst[16*t*pix:]
		for c := 0; c < chans; c++ {
			var d [4][4]int16
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					d[i][j] = s[i*rowStride+j*pix+c]
				}
			}
			// Bᵀ d, then (Bᵀ d) B, each row or column (x0 x1 x2 x3) →
			// (x0 − x2, x1 + x2, x2 − x1, x1 − x3).
			var r [4][4]int16
			for j := 0; j < 4; j++ {
				r[0][j], r[1][j], r[2][j], r[3][j] = d[0][j]-d[2][j], d[1][j]+d[2][j], d[2][j]-d[1][j], d[1][j]-d[3][j]
			}
			for i := 0; i < 4; i++ {
				x0, x1, x2, x3 := r[i][0], r[i][1], r[i][2], r[i][3]
				v[(4*i)*pix+c] = x0 - x2
				v[(4*i+1)*pix+c] = x1 + x2
				v[(4*i+2)*pix+c] = x2 - x1
				v[(4*i+3)*pix+c] = x1 - x3
			}
		}
	}
}

// winoProducts holds, for a group of winoTiles tiles and one block of 16
// output channels, the sums M = Σ_c U·V per position ξ in the dot
// kernels' layout: [ξ][tile][channel].
type winoProducts [16][winoTiles * simdGroup]int32

// winoRows holds a group's 2×2 outputs before requantization, as the top
// and bottom output rows of the group's tiles: tile t's pixel (dy, dx) at
// [dy][2t + dx], 16 channels each. Tiles of one image row thus give
// contiguous runs of output pixels.
type winoRows [2][2 * winoTiles][simdGroup]int32

// winoOutput computes Aᵀ M A >> 2 for every tile and channel of m into
// y. The additions wrap modulo 2³² like the int32 accumulator they
// replace; the arithmetic shift then recovers the direct sum (see
// conv2d_winograd.go). This is the portable form of winoOutputSIMD.
func winoOutput(m *winoProducts, y *winoRows) {
	for t := 0; t < winoTiles; t++ {
		for c := 0; c < simdGroup; c++ {
			var s [4][2]int32 // M A, row by row
			for i := 0; i < 4; i++ {
				m0, m1 := m[4*i][t*simdGroup+c], m[4*i+1][t*simdGroup+c]
				m2, m3 := m[4*i+2][t*simdGroup+c], m[4*i+3][t*simdGroup+c]
				s[i][0], s[i][1] = m0+m1+m2, m1-m2-m3
			}
			for x := 0; x < 2; x++ {
				y[0][2*t+x][c] = (s[0][x] + s[1][x] + s[2][x]) >> 2
				y[1][2*t+x][c] = (s[1][x] - s[2][x] - s[3][x]) >> 2
			}
		}
	}
}

// winoAccLimit bounds the direct accumulator for the final shift: the
// transforms give 4·acc modulo 2³², and an arithmetic shift right by 2
// returns acc exactly when −2²⁹ ≤ acc < 2²⁹.
const winoAccLimit = 1 << 29

// winoAccBound returns the largest Σ|w + filterOffset|·255 over the
// channels of a filter w with k taps per channel, a bound on |acc| since
// |input + inputOffset| ≤ 255 for int8 and uint8 alike.
func winoAccBound[T quantElem](w []T, channels, k int, filterOffset int32) int64 {
	var worst int64
	for c := 0; c < channels; c++ {
		var s int64
		for _, v := range w[c*k : (c+1)*k] {
			o := int64(int32(v) + filterOffset)
			s += max(o, -o)
		}
		worst = max(worst, s*swarMaxAbsInput)
	}
	return worst
}

// packWinograd transforms a 3×3 filter w ([n][3][3][inC]) with
// filterOffset added and packs U for the 16-channel int16 dot kernels:
// per block of 16 output channels, per position ξ, kp pairs of input
// channels, i.e. w16[((blk·16 + ξ)·kp + c/2)·32 + 2·(o%16) + c%2]. The
// result multiplies rows of 2·kp taps per position; channels past n
// and the pad input channel are zero. The epilogue only reads n.
func packWinograd[T quantElem](w []T, n, inC int, filterOffset int32) *packedInt {
	kp := (inC + 1) / 2
	p := &packedInt{n: n, k: 16 * 2 * kp, lda: 16 * 2 * kp, simd: true}
	p.w16 = make([]int16, p.groups()*16*kp*simdGroup*2)
	p.absSum = make([]int64, n)
	var g [9]int32
	for o := 0; o < n; o++ {
		blk, ch := o/simdGroup, o%simdGroup
		for c := 0; c < inC; c++ {
			for tap := range g {
				g[tap] = int32(w[(o*9+tap)*inC+c]) + filterOffset
				p.absSum[o] += int64(max(g[tap], -g[tap]))
			}
			u := winoFilter(&g)
			for xi, v := range u {
				p.w16[((blk*16+xi)*kp+c/2)*2*simdGroup+2*ch+c%2] = int16(v)
			}
		}
	}
	return p
}
