package kernel

// The outputs TF 2.2 does not sum in plain k order (see
// gemm_float_order.go) — a GEMM's last m mod 8 channels, and every output
// of a matrix·vector product — with SIMD where the CPU has it
// (floatTailSIMD). Both orders vectorize across outputs: the even/odd
// split of Eigen's one-packet kernel puts four channels in lanes, the
// four-lane sums put one output's lanes in a register, and in both each
// lane adds its products exactly as the scalar loops do.

// splitTileRows is the number of rows splitDotF32x4x4 sums at once.
const splitTileRows = 4

// packSplit lays out channels [c0, c0+4) of w ([m][k]) tap-major for
// splitDotF32x4x4: [k][4].
func packSplit(w []float32, k, c0 int) []float32 {
	p := make([]float32, k*4)
	for j := 0; j < 4; j++ {
		for kk, v := range w[(c0+j)*k : (c0+j+1)*k] {
			p[kk*4+j] = v
		}
	}
	return p
}

// orderTails computes channels [cLo, cHi) of rows rows (all below the
// order's n4) that the packed kernels do not sum in TF 2.2's order: the
// split channels [m8, m4) and the four-lane channels [m4, m).
func (g *floatGemm) orderTails(a []float32, rows, j0, cLo, cHi int, e *floatEpilogue, out []float32) {
	m, k := g.m, g.k
	if lo, hi := max(cLo, g.ord.m8), min(cHi, g.ord.m4); lo < hi {
		r := 0
		if g.split != nil && lo == g.ord.m8 && hi == g.ord.m4 {
			var s [splitTileRows * 4]float32
			for ; r+splitTileRows <= rows; r += splitTileRows {
				g.splitTile(a[r*k:(r+splitTileRows)*k], &s)
				for i := 0; i < splitTileRows; i++ {
					row := out[(r+i)*m : (r+i+1)*m]
					for j := 0; j < 4; j++ {
						row[lo+j] = clampF32(s[i*4+j]+e.bias[lo+j], e.actMin, e.actMax)
					}
				}
			}
		}
		g.byOrder(a[r*k:], rows-r, j0+r, lo, hi, e, out[r*m:])
	}
	if lo := max(cLo, g.ord.m4); lo < cHi {
		g.lanes(a, rows, lo, cHi, false, e, out)
	}
}

// splitTile sums the four split channels of four rows of a into s
// ([row][channel]), K block by K block like floatSumOrder.sum.
func (g *floatGemm) splitTile(a []float32, s *[splitTileRows * 4]float32) {
	k := g.k
	*s = [splitTileRows * 4]float32{}
	var part [splitTileRows * 4]float32
	for k0 := 0; k0 < k; k0 += g.ord.kc {
		kb := min(g.ord.kc, k-k0)
		peeled := kb / 8 * 8
		splitDotF32x4x4(&a[k0], uintptr(4*k), &g.split[4*k0], peeled/2, kb-peeled, &part)
		for i := range s {
			s[i] += part[i]
		}
	}
}

// lanes computes channels [cLo, cHi) of rows rows with the four-lane
// order: reduced (l0+l1)+(l2+l3) for a GEMM's last channels, (l0+l2)+(l1+l3)
// for a matrix·vector product (gemv), then the remaining taps in order,
// K block by K block. Four outputs share a kernel call: four rows of one
// channel, or, for a single row, four channels.
func (g *floatGemm) lanes(a []float32, rows, cLo, cHi int, gemv bool, e *floatEpilogue, out []float32) {
	m, k := g.m, g.k
	set := func(r, c int, v float32) {
		out[r*m+c] = clampF32(v+e.bias[c], e.actMin, e.actMax)
	}
	for c := cLo; c < cHi; c++ {
		w := g.w[c*k : (c+1)*k]
		r := 0
		if rows >= 4 {
			for ; r+4 <= rows; r += 4 {
				var d [4]float32
				g.lanes4(w, 0, a[r*k:(r+4)*k], k, gemv, &d)
				for i, v := range d {
					set(r+i, c, v)
				}
			}
		} else if c+4 <= cHi {
			// One row (or a few): four channels per call.
			for ; r < rows; r++ {
				var d [4]float32
				g.lanes4(g.w[c*k:(c+4)*k], k, a[r*k:(r+1)*k], 0, gemv, &d)
				for i, v := range d {
					set(r, c+i, v)
				}
			}
			c += 3
			continue
		}
		for ; r < rows; r++ {
			set(r, c, g.ord.sum(c, 0, w, a[r*k:(r+1)*k]))
		}
	}
}

// lanes4 computes four dot products in the four-lane order: the i-th of
// w[i·ws:] and x[i·xs:] (strides in elements, 0 for a shared operand),
// each K long.
func (g *floatGemm) lanes4(w []float32, ws int, x []float32, xs int, gemv bool, d *[4]float32) {
	k := g.k
	*d = [4]float32{}
	var l [16]float32
	for k0 := 0; k0 < k; k0 += g.ord.kc {
		kb := min(g.ord.kc, k-k0)
		quads := kb / 4
		laneSumsF32x4(&w[k0], uintptr(4*ws), &x[k0], uintptr(4*xs), quads, &l)
		for i := range d {
			wi, xi := w[i*ws+k0:i*ws+k0+kb], x[i*xs+k0:i*xs+k0+kb]
			if gemv {
				// One block; gemvDotFloat's result as it is.
				d[i] = tailDot((l[4*i]+l[4*i+2])+(l[4*i+1]+l[4*i+3]), wi[quads*4:], xi[quads*4:])
				continue
			}
			d[i] += tailDot((l[4*i]+l[4*i+1])+(l[4*i+2]+l[4*i+3]), wi[quads*4:], xi[quads*4:])
		}
	}
}
