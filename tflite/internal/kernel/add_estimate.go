package kernel

import "math"

// The estimate of the vector ADD/SUB (see add_simd.go). TFLite's result
// is, up to its roundings, linear in the two input bytes:
//
//	out ≈ ⌊αe·x'e + αr·x'r + δ⌋
//
// with x' the bytes as the kernel reads them (add_simd.go), αe and αr
// the products of the inputs' and the output's real multipliers, and δ
// the zero points' share plus ½ for the final rounding. The kernel
// computes it in integers with s fraction bits,
//
//	v = Ae·x'e + Ar·x'r + C,  out = clamp(v >> s),
//
// |A| < 2^22, as two VPMADDWD on 16-bit pairs: A = 256·Ah + Al with
// 0 ≤ Al < 256, words x'·256 against Ah and b = x' + 128 (the byte with
// its top bit flipped, 0…255) against Al, whose extra 128·Al goes into C.
//
// Whether v >> s equals TFLite's result is decided when the operator is
// prepared, by computing both for all 65536 pairs (fitEstimate). Where
// they differ, TFLite's roundings have moved a value that lies within a
// hair of an integer to the other side: the fraction v mod 2^s is then
// within a few units of 0 or of 2^s. fitEstimate widens a window around
// the integers until it holds every such pair, shifting C so that the
// window is [0, window) of the fraction; the kernel redoes the exact way
// any step with an element in the window. So every pair is either
// checked equal or recomputed.

// addEstimate is the estimate's part of addVec, in the layout
// add_amd64.s reads (offsets ESTHI…ESTSHIFT there): every field but
// shift fills one 32-byte register.
type addEstimate struct {
	// hi and lo are VPMADDWD multipliers, one word pair (exact input,
	// rounded input) per dword: Ah for the words x'·256, Al for b.
	hi, lo [8]int32
	c      [8]int32 // C
	mask   [8]int32 // 2^s − 1, the fraction bits
	window [8]int32 // fractions below it are flagged
	shift  uint64   // s, as a VPSRAD count
	_      uint64   // VPSRAD reads 16 bytes
}

// addEstimateMaxFlagged is the largest number of the 65536 input pairs
// in the flag window for which the estimate runs: beyond it (parameters
// whose results tie often, such as equal scales) the exact steps are
// cheaper than redoing steps.
const addEstimateMaxFlagged = 128

// fitEstimate fits the estimate to the prepared parameters, checks it
// against apply on every pair of input bytes, fills k.p.est and returns
// the mode the kernel runs in. exact and round are the two inputs'
// rescales, signS and signG their signs in the sum, u the offset of the
// bytes the kernel reads (newAddVec).
func (k *addVecKernel) fitEstimate(p addSubParams, sub bool, exact, round addVecInput, signS, signG, u int32) addVecMode {
	// The real slopes and offset of TFLite's result in x'.
	co := float64(p.outMult) * math.Ldexp(1, p.outShift-31)
	ae := float64(signS) * math.Ldexp(co, addSubLeftShift-1)
	ar := float64(signG) * float64(round.mult) * math.Ldexp(co, round.shift+addSubLeftShift-31)
	delta := ae*float64(u+exact.off) + ar*float64(u+round.off) + float64(p.outOffset) + 0.5

	want := k.exactResults(p, sub, u)
	for s := 30; s >= 8; s-- {
		e := addEstimateAt(ae, ar, delta, s)
		if e == nil {
			continue
		}
		// First pass: where does the estimate miss, and how close to an
		// integer are those fractions?
		mask := int64(1)<<s - 1
		var below, above int64 // window widths under and over the integers
		fits := e.forPairs(func(pair int, v int64) {
			if estimateOut(v, s, p.lo, p.hi) != want[pair] {
				if f := v & mask; f < 1<<(s-1) {
					below = max(below, f+1)
				} else {
					above = max(above, 1<<s-f)
				}
			}
		})
		if !fits {
			continue
		}
		// Shift the window to [0, below+above) and check again: every
		// pair must be flagged or right.
		e.c += above
		window := below + above
		flagged, wrong := 0, 0
		fits = e.forPairs(func(pair int, v int64) {
			switch {
			case v&mask < window:
				flagged++
			case estimateOut(v, s, p.lo, p.hi) != want[pair]:
				wrong++
			}
		})
		if !fits || wrong > 0 || window >= 1<<(s-1) || flagged > addEstimateMaxFlagged {
			return addVecExact
		}
		k.p.est = e.block(s, window)
		if flagged == 0 {
			return addVecEstimate
		}
		return addVecEstimated
	}
	return addVecExact
}

// exactResults returns apply's results for every pair of bytes the
// kernel reads, indexed by exact input byte·256 + rounded input byte.
func (k *addVecKernel) exactResults(p addSubParams, sub bool, u int32) []int8 {
	want := make([]int8, 1<<16)
	for e := range 256 {
		for r := range 256 {
			xe, xr := int32(int8(e))+u, int32(int8(r))+u // the inputs' values
			x, y := xe, xr
			if !k.exactFirst {
				x, y = xr, xe
			}
			want[e<<8|r] = int8(p.apply(x, y, sub))
		}
	}
	return want
}

// estimateOut is the kernel's output byte for the estimate v with s
// fraction bits: v >> s clamped to the activation range. (The kernel's
// saturating packs keep every value on its side of the type's range,
// which holds lo and hi, so clamping after them gives the same byte.)
func estimateOut(v int64, s int, lo, hi int32) int8 {
	return int8(min(max(v>>s, int64(lo)), int64(hi)))
}

// addEstimateFit is an estimate being fitted: v = ae·x'e + ar·x'r + c
// with c including the 128·Al of the b words.
type addEstimateFit struct {
	ae, ar int64 // A for the exact and the rounded input
	c      int64
}

// addEstimateAt rounds the slopes and offset to s fraction bits, or
// returns nil when a slope does not fit 22 bits.
func addEstimateAt(ae, ar, delta float64, s int) *addEstimateFit {
	e := &addEstimateFit{
		ae: int64(math.Round(math.Ldexp(ae, s))),
		ar: int64(math.Round(math.Ldexp(ar, s))),
	}
	const limit = 1 << 22
	if e.ae <= -limit || e.ae >= limit || e.ar <= -limit || e.ar >= limit {
		return nil
	}
	e.c = int64(math.Round(math.Ldexp(delta, s)))
	return e
}

// forPairs calls f with each pair of bytes (exact·256 + rounded) and its
// v, and reports whether every v and every partial sum of the kernel
// stays within int32.
func (e *addEstimateFit) forPairs(f func(pair int, v int64)) bool {
	// C as the kernel holds it, without the b words' 128·Al.
	c := e.c - 128*(e.ae&255+e.ar&255)
	fits := c >= math.MinInt32 && c <= math.MaxInt32
	for xe := range 256 {
		for xr := range 256 {
			pe, pr := int64(int8(xe)), int64(int8(xr)) // x' as the kernel reads it
			v := e.ae*pe + e.ar*pr + e.c
			if v < math.MinInt32 || v > math.MaxInt32 {
				fits = false
			}
			f(xe<<8|xr, v)
		}
	}
	return fits
}

// block lays the fitted estimate out for the kernel.
func (e *addEstimateFit) block(s int, window int64) addEstimate {
	var b addEstimate
	eh, el := e.ae>>8, e.ae&255
	rh, rl := e.ar>>8, e.ar&255
	// The b words carry x' + 128: take 128·(el + rl) back out of C.
	c := e.c - 128*(el+rl)
	for i := range 8 {
		b.hi[i] = int32(uint32(uint16(eh)) | uint32(uint16(rh))<<16)
		b.lo[i] = int32(uint32(uint16(el)) | uint32(uint16(rl))<<16)
		b.c[i] = int32(c)
		b.mask[i] = int32(1)<<s - 1
		b.window[i] = int32(window)
	}
	b.shift = uint64(s)
	return b
}
