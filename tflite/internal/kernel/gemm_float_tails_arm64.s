#include "textflag.h"
#include "neon_arm64.h"

// NEON forms of the two Eigen micro-kernel orders that are not plain k
// order (gemm_float_order.go), with the arguments and results of their
// gemm_float_tails_amd64.s namesakes: each lane adds its products with
// separate FMUL (rounds the product) and FADD (rounds the sum) — never
// FMLA — in the order of the scalar loops, so the bits equal
// splitDotFloat's and laneSums' (and the AVX2 kernels').

// SPLITROW adds row r's tap pair (its two A values in Vx.S[0], Vx.S[1];
// the even tap's four weights in V4, the odd tap's in V5) to the even
// sums ve and the odd sums vo, with t0, t1 as scratch.
#define SPLITROW(x, ve, vo, t0, t1) \
	FMUL_LANE(t0, 4, x, 0)      \
	FMUL_LANE(t1, 5, x, 1)      \
	FADD_4S(ve, ve, t0)         \
	FADD_4S(vo, vo, t1)

// func splitDotF32x4x4(a *float32, lda uintptr, w *float32, kpairs, tail int, out *[16]float32)
//
// Four rows × four channels of splitDotFloat: w is [k][4] (tap-major, the
// four channels of one tap together). Per row, channels in lanes: even
// taps of the first 2·kpairs into V16-V19, odd ones into V20-V23, then
// even+odd, then the tail taps in order. out is [row][channel].
//
// Registers: R0-R3 the four rows of a, R4 w, R5 pairs left, R6 tail taps
// left, R7 out; V0-V3 the rows' A values, V4/V5 one pair's weights,
// V8-V15 products.
TEXT ·splitDotF32x4x4(SB), NOSPLIT, $0-48
	MOVD a+0(FP), R0
	MOVD lda+8(FP), R8
	MOVD w+16(FP), R4
	MOVD kpairs+24(FP), R5
	MOVD tail+32(FP), R6
	MOVD out+40(FP), R7
	ADD  R8, R0, R1
	ADD  R8, R1, R2
	ADD  R8, R2, R3
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ  R5, splitcombine

splitpairs:
	VLD1.P 32(R4), [V4.S4, V5.S4]
	VLD1.P 8(R0), [V0.S2]
	VLD1.P 8(R1), [V1.S2]
	VLD1.P 8(R2), [V2.S2]
	VLD1.P 8(R3), [V3.S2]
	SPLITROW(0, 16, 20, 8, 9)
	SPLITROW(1, 17, 21, 10, 11)
	SPLITROW(2, 18, 22, 12, 13)
	SPLITROW(3, 19, 23, 14, 15)
	SUBS   $1, R5, R5
	BNE    splitpairs

splitcombine:
	FADD_4S(16, 16, 20)
	FADD_4S(17, 17, 21)
	FADD_4S(18, 18, 22)
	FADD_4S(19, 19, 23)
	CBZ R6, splitstore

splittail:
	VLD1.P 16(R4), [V4.S4]
	VLD1.P 4(R0), V0.S[0]
	VLD1.P 4(R1), V0.S[1]
	VLD1.P 4(R2), V0.S[2]
	VLD1.P 4(R3), V0.S[3]
	FMUL_LANE(8, 4, 0, 0)
	FMUL_LANE(9, 4, 0, 1)
	FMUL_LANE(10, 4, 0, 2)
	FMUL_LANE(11, 4, 0, 3)
	FADD_4S(16, 16, 8)
	FADD_4S(17, 17, 9)
	FADD_4S(18, 18, 10)
	FADD_4S(19, 19, 11)
	SUBS   $1, R6, R6
	BNE    splittail

splitstore:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R7)
	RET

// func laneSumsF32x4(w *float32, ws uintptr, x *float32, xs uintptr, quads int, out *[16]float32)
//
// laneSums of four dot products at once, the i-th of w+i·ws by x+i·xs
// (byte strides; 0 shares an operand): rows of one channel, or channels of
// one row. Each lane j adds the products of taps k ≡ j (mod 4) over the
// first 4·quads taps in order; out[4i+j] is dot product i's lane j.
//
// Registers: R0, R6-R8 the four w, R2, R9-R11 the four x, R4 quads left,
// R5 out; V0-V7 operands and products, V16-V19 the lane sums.
TEXT ·laneSumsF32x4(SB), NOSPLIT, $0-48
	MOVD w+0(FP), R0
	MOVD ws+8(FP), R1
	MOVD x+16(FP), R2
	MOVD xs+24(FP), R3
	MOVD quads+32(FP), R4
	MOVD out+40(FP), R5
	ADD  R1, R0, R6
	ADD  R1, R6, R7
	ADD  R1, R7, R8
	ADD  R3, R2, R9
	ADD  R3, R9, R10
	ADD  R3, R10, R11
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	CBZ  R4, lanestore

laneloop:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R6), [V1.S4]
	VLD1.P 16(R7), [V2.S4]
	VLD1.P 16(R8), [V3.S4]
	VLD1.P 16(R2), [V4.S4]
	VLD1.P 16(R9), [V5.S4]
	VLD1.P 16(R10), [V6.S4]
	VLD1.P 16(R11), [V7.S4]
	FMUL_4S(0, 0, 4)
	FMUL_4S(1, 1, 5)
	FMUL_4S(2, 2, 6)
	FMUL_4S(3, 3, 7)
	FADD_4S(16, 16, 0)
	FADD_4S(17, 17, 1)
	FADD_4S(18, 18, 2)
	FADD_4S(19, 19, 3)
	SUBS   $1, R4, R4
	BNE    laneloop

lanestore:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R5)
	RET
