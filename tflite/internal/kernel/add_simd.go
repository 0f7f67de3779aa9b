package kernel

import (
	"fmt"
	"unsafe"
)

// The vector quantized ADD/SUB (add_amd64.s) gives exactly
// addSubParams.apply — TFLite's arithmetic, rounding for rounding — for
// every pair of inputs, 32 elements a step, in one of two ways:
//
//   - exact: TFLite's fixed-point steps themselves, with the short
//     requantization RQX16 of requant_amd64.h. They rest on one property
//     of TFLite's Prepare: the input with the larger scale s gets the
//     real multiplier s/(2s) = 1/2 exactly (multiplier 2^30, shift 0),
//     and MultiplyByQuantizedMultiplier((x+off)·2^20, 2^30, 0) is
//     (x+off)·2^19 with nothing to round. So one input ("exact") is a
//     shift, and only the other ("rounded") and the sum need RQX16.
//   - estimate: the result as one linear function of the two inputs,
//     ⌊(A·x1 + B·x2 + C) / 2^s⌋, which add_estimate.go fits to the
//     parameters and checks against apply on all 65536 pairs when the
//     operator is prepared. The check also finds the pairs the estimate
//     gets wrong (ties and near-ties of TFLite's rounding); they all
//     lie in a narrow window of the fraction bits, and a step with any
//     element in that window is recomputed the exact way.
//
// The estimate costs about a third of the exact steps, so it runs
// wherever the check finds few pairs in the window (addVecMode).

// addVec is the vector kernel's parameter block, in the layout
// add_amd64.s reads (the addVec*Off constants, checked at compile time
// at the end of this file).
type addVec struct {
	// round rescales the rounded input: RQX16 on x'·2^20, x' the
	// input byte as int8 (uint8 bytes have 0x80 flipped), gives
	// MultiplyByQuantizedMultiplier((x+off)·2^20, m, shift); the
	// offset is folded into the nudges (see newAddVec).
	round rqShortBlock
	// out requantizes raw = ±x'e·2^19 ± G (G the rounded input's
	// result) and adds the output zero point; the exact input's offset
	// is folded into the nudges.
	out rqShortBlock
	// roundShift and outShift are the blocks' right shifts as VPSRAD
	// counts: all lanes of a block share one, and Zen-class cores run
	// RQX16E's per-lane VPSRAVD at half VPSRAD's rate.
	roundShift, outShift uint64
	// lo and hi are the activation bounds in every byte.
	lo, hi [32]uint8
	// signS and signG are ±1 in every lane: raw = signS·x'e·2^19 +
	// signG·G (ADD, or SUB with either input first).
	signS, signG [8]int32
	// est holds the estimate's constants (add_estimate.go).
	est addEstimate
}

// The byte offsets add_amd64.s uses for addVec's fields.
const (
	addVecOutOff        = 448
	addVecRoundShiftOff = 896
	addVecOutShiftOff   = 904
	addVecLoOff         = 912
	addVecHiOff         = 944
	addVecSignSOff      = 976
	addVecSignGOff      = 1008
	addVecEstOff        = 1040
)

// addVecMode selects the kernel's loop.
type addVecMode int

const (
	addVecExact     addVecMode = iota // every step the exact way
	addVecEstimate                    // the estimate is right for every pair
	addVecEstimated                   // the estimate, steps with a flagged element redone exactly

	// addVecWholeRange is added to the estimate modes when the
	// activation range is the whole type: the kernel's saturating packs
	// then clamp alone.
	addVecWholeRange addVecMode = 4
)

// addVecKernel is a prepared vector ADD or SUB.
type addVecKernel struct {
	p addVec
	// exactFirst is set when input 1 is the exact input, else input 2 is.
	exactFirst bool
	mode       addVecMode
}

// addVecInput is one input's rescale as TFLite's Prepare set it.
type addVecInput struct {
	mult  int32
	shift int
	off   int32
}

// exact reports whether the input's rescale is the plain shift to
// (x+off)·2^19.
func (in addVecInput) exact() bool { return in.mult == 1<<30 && in.shift == 0 }

// cachedAddVec returns the model-wide vector kernel for these
// parameters (like cachedAddSubTable), or nil when this machine has
// none, the node is only being validated, or p is outside what the
// kernel computes (newAddVec).
func cachedAddVec[T ewQuant](n *Node, p addSubParams, sub bool) *addVecKernel {
	if !addVecCPU() || n.Validating {
		return nil
	}
	var zero T
	key := fmt.Sprintf("addvec/%T/%v/%+v", zero, sub, p)
	// Node -1: the kernel depends on the parameters alone.
	return constCached(&Node{Index: -1, Consts: n.Consts}, key, func() *addVecKernel {
		return newAddVec[T](p, sub)
	})
}

// newAddVec prepares the vector kernel for p, or returns nil when p is
// outside what it computes exactly: neither input has the multiplier 1/2
// (TFLite's Prepare always gives one input that), or a shift is beyond
// the short requantization's.
func newAddVec[T ewQuant](p addSubParams, sub bool) *addVecKernel {
	in1 := addVecInput{p.in1Mult, p.in1Shift, p.in1Offset}
	in2 := addVecInput{p.in2Mult, p.in2Shift, p.in2Offset}
	k := &addVecKernel{}
	var exact, round addVecInput
	switch {
	case in1.exact():
		exact, round, k.exactFirst = in1, in2, true
	case in2.exact():
		exact, round = in2, in1
	default:
		return nil
	}
	if !rqShortShiftFits(round.shift) || !rqShortShiftFits(p.outShift) {
		return nil
	}
	signS, signG := int32(1), int32(1)
	switch {
	case sub && k.exactFirst:
		signG = -1 // x1 − x2 = S − G
	case sub:
		signS = -1 // x1 − x2 = G − S
	}
	// The kernel takes each byte as x' = x − u: int8 bytes as they are
	// (u = 0), uint8 bytes with the top bit flipped (u = 128), so that
	// x + off = x' + (u + off).
	u := int32(0)
	if isUnsigned[T]() {
		u = 128
	}
	// RQX16 doubles its input before multiplying, so an input offset o
	// adds 2·o·m to the 64-bit product: o = (u+off)·2^20 for the
	// rounded input, signS·(u+off)·2^19 for the exact one.
	k.p.round = uniformShortBlock(round.mult, round.shift, 0, int64(u+round.off)<<21*int64(round.mult))
	k.p.out = uniformShortBlock(p.outMult, p.outShift, p.outOffset, int64(signS)*int64(u+exact.off)<<20*int64(p.outMult))
	k.p.roundShift, k.p.outShift = uint64(-round.shift), uint64(-p.outShift)
	for i := range k.p.lo {
		k.p.lo[i], k.p.hi[i] = uint8(T(p.lo)), uint8(T(p.hi))
	}
	for i := range k.p.signS {
		k.p.signS[i], k.p.signG[i] = signS, signG
	}
	k.mode = k.fitEstimate(p, sub, exact, round, signS, signG, u)
	if lo, hi := ewRange[T](); k.mode != addVecExact && p.lo == lo && p.hi == hi {
		k.mode += addVecWholeRange
	}
	return k
}

// rqShortShiftFits reports whether a TFLite shift is a right shift the
// short requantization takes.
func rqShortShiftFits(shift int) bool {
	return shift <= 0 && -shift <= rqShortMaxShift
}

// uniformShortBlock is a short-requantization block whose 16 lanes all
// rescale by (mult, shift) and add outOff, with fold added to every
// nudge (an input offset times the multiplier, see newAddVec).
func uniformShortBlock(mult int32, shift int, outOff int32, fold int64) rqShortBlock {
	rq := make([]requantizer, 16)
	for i := range rq {
		rq[i] = newRequantizer(mult, shift)
	}
	b := newRQShortBlocks(len(rq), forBlockLanes, rq, outOff)[0]
	for i := range b.nudge {
		b.nudge[i] += fold
	}
	return b
}

// addVecStep is the number of elements the kernel computes per step.
const addVecStep = 32

// run sets o[i] = apply(x[i], y[i]) for every i < len(o) (x and y at
// least as long), the whole steps with the vector kernel and the rest
// with p.apply.
func (k *addVecKernel) run(p *addSubParams, sub bool, o, x, y []byte, unsigned bool) {
	n := len(o)
	x, y = x[:n], y[:n]
	done := n / addVecStep * addVecStep
	if done > 0 {
		xe, xr := x, y
		if !k.exactFirst {
			xe, xr = y, x
		}
		if unsigned {
			addVecUint8(&o[0], &xe[0], &xr[0], done/addVecStep, &k.p, k.mode)
		} else {
			addVecInt8(&o[0], &xe[0], &xr[0], done/addVecStep, &k.p, k.mode)
		}
	}
	for i := done; i < n; i++ {
		a, b := int32(x[i]), int32(y[i])
		if !unsigned {
			a, b = int32(int8(x[i])), int32(int8(y[i]))
		}
		o[i] = byte(p.apply(a, b, sub))
	}
}

// ewBytes views an 8-bit slice as bytes.
func ewBytes[T ewQuant](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// Compile-time checks that addVec has the layout add_amd64.s assumes
// (a negative constant converted to uint does not compile).
const (
	_ = uint(addVecOutOff-unsafe.Offsetof(addVec{}.out)) + uint(unsafe.Offsetof(addVec{}.out)-addVecOutOff)
	_ = uint(addVecRoundShiftOff-unsafe.Offsetof(addVec{}.roundShift)) + uint(unsafe.Offsetof(addVec{}.roundShift)-addVecRoundShiftOff)
	_ = uint(addVecOutShiftOff-unsafe.Offsetof(addVec{}.outShift)) + uint(unsafe.Offsetof(addVec{}.outShift)-addVecOutShiftOff)
	_ = uint(addVecLoOff-unsafe.Offsetof(addVec{}.lo)) + uint(unsafe.Offsetof(addVec{}.lo)-addVecLoOff)
	_ = uint(addVecHiOff-unsafe.Offsetof(addVec{}.hi)) + uint(unsafe.Offsetof(addVec{}.hi)-addVecHiOff)
	_ = uint(addVecSignSOff-unsafe.Offsetof(addVec{}.signS)) + uint(unsafe.Offsetof(addVec{}.signS)-addVecSignSOff)
	_ = uint(addVecSignGOff-unsafe.Offsetof(addVec{}.signG)) + uint(unsafe.Offsetof(addVec{}.signG)-addVecSignGOff)
	_ = uint(addVecEstOff-unsafe.Offsetof(addVec{}.est)) + uint(unsafe.Offsetof(addVec{}.est)-addVecEstOff)
)
