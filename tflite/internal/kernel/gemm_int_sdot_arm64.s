#include "textflag.h"
#include "neon_arm64.h"

// SDOT int8 dot-product kernels for gemm_int_sdot_arm64.go, run on CPUs
// with the dot-product extension (FEAT_DotProd) for int8 models.
//
// B is packed per 16 output channels as [kquads][16 channels][4 taps]
// int8 (packIntSIMD with four taps per group), so one 64-byte load gives
// four registers of four channels each, channel 4q+e's four taps in bytes
// 4e..4e+3 of the q-th register. A rows are the raw int8 input, lda bytes
// apart, four taps to a 32-bit lane.
//
// SDOT Vd.4S, Vn.16B, Vm.4B[j] adds to lane e of Vd the four products
// Vn.B[4e+t]·Vm.B[4j+t]: channel e's taps times four taps of one row.
// Why this is exact: an int8 product has magnitude at most 2^14 and four
// of them at most 2^16, so SDOT computes them exactly, and its additions
// to the accumulator wrap in int32 like TFLite's. Each lane therefore
// ends at Σ_k a[k]·w[k] mod 2^32, the same products in any order. The
// input offset is not applied here: the caller folds inputOffset·Σ_k w
// into the bias and fills padding taps with the input zero point, which
// gives TFLite's Σ_k (a[k] + inputOffset)·w[k] mod 2^32.
//
// Registers: V0-V3 the A taps (row r in Vr), V4-V7 and V8-V11 two quads'
// weights (loaded alternately, so a load never waits on the SDOTs still
// reading the other set), V16-V31 the accumulators (row r, channels
// 4q..4q+3 in V16+4r+q; a single row uses V16-V19 for even quads and
// V20-V23 for odd ones).

// QUAD4 adds one quad of four rows: weights in Vw..Vw+3, the rows' taps
// in lane j of V0-V3.
#define QUAD4(w, j) \
	SDOT_LANE(16, w, 0, j)   \
	SDOT_LANE(17, w+1, 0, j) \
	SDOT_LANE(18, w+2, 0, j) \
	SDOT_LANE(19, w+3, 0, j) \
	SDOT_LANE(20, w, 1, j)   \
	SDOT_LANE(21, w+1, 1, j) \
	SDOT_LANE(22, w+2, 1, j) \
	SDOT_LANE(23, w+3, 1, j) \
	SDOT_LANE(24, w, 2, j)   \
	SDOT_LANE(25, w+1, 2, j) \
	SDOT_LANE(26, w+2, 2, j) \
	SDOT_LANE(27, w+3, 2, j) \
	SDOT_LANE(28, w, 3, j)   \
	SDOT_LANE(29, w+1, 3, j) \
	SDOT_LANE(30, w+2, 3, j) \
	SDOT_LANE(31, w+3, 3, j)

// QUAD1 adds one quad of a single row (taps in lane j of V0) to the four
// accumulators from Vacc, weights in Vw..Vw+3.
#define QUAD1(acc, w, j) \
	SDOT_LANE(acc, w, 0, j)     \
	SDOT_LANE(acc+1, w+1, 0, j) \
	SDOT_LANE(acc+2, w+2, 0, j) \
	SDOT_LANE(acc+3, w+3, 0, j)

#define LOADW(w0, w1, w2, w3) \
	VLD1.P 64(R4), [w0.B16, w1.B16, w2.B16, w3.B16]

#define ZERO8S \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16 \
	VEOR V20.B16, V20.B16, V20.B16 \
	VEOR V21.B16, V21.B16, V21.B16 \
	VEOR V22.B16, V22.B16, V22.B16 \
	VEOR V23.B16, V23.B16, V23.B16

// func dotS8x4x16(a *int8, lda uintptr, b *int8, kquads int, out *[64]int32)
//
// The main loop takes four quads (16 bytes of each row) at a time; a
// tail loop the remaining zero to three, one 32-bit lane per row.
TEXT ·dotS8x4x16(SB), NOSPLIT, $0-40
	MOVD a+0(FP), R0
	MOVD lda+8(FP), R7
	MOVD b+16(FP), R4
	MOVD kquads+24(FP), R5
	MOVD out+32(FP), R6
	ADD  R7, R0, R1
	ADD  R7, R1, R2
	ADD  R7, R2, R3
	ZERO8S
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	SUBS $4, R5, R5
	BLT  tail4

loop4:
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	VLD1.P 16(R2), [V2.B16]
	VLD1.P 16(R3), [V3.B16]
	LOADW(V4, V5, V6, V7)
	LOADW(V8, V9, V10, V11)
	QUAD4(4, 0)
	LOADW(V4, V5, V6, V7)
	QUAD4(8, 1)
	LOADW(V8, V9, V10, V11)
	QUAD4(4, 2)
	QUAD4(8, 3)
	SUBS $4, R5, R5
	BGE  loop4

tail4:
	ADDS $4, R5, R5
	BEQ  store4

tailloop4:
	VLD1.P 4(R0), V0.S[0]
	VLD1.P 4(R1), V1.S[0]
	VLD1.P 4(R2), V2.S[0]
	VLD1.P 4(R3), V3.S[0]
	LOADW(V4, V5, V6, V7)
	QUAD4(4, 0)
	SUBS   $1, R5, R5
	BNE    tailloop4

store4:
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R6)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R6)
	VST1.P [V24.S4, V25.S4, V26.S4, V27.S4], 64(R6)
	VST1   [V28.S4, V29.S4, V30.S4, V31.S4], (R6)
	RET

// func dotS8x1x16(a *int8, b *int8, kquads int, out *[16]int32)
//
// Even and odd quads go to separate accumulators (V16-V19, V20-V23),
// added at the end, so consecutive SDOTs do not wait on each other.
TEXT ·dotS8x1x16(SB), NOSPLIT, $0-32
	MOVD a+0(FP), R0
	MOVD b+8(FP), R4
	MOVD kquads+16(FP), R5
	MOVD out+24(FP), R6
	ZERO8S
	SUBS $4, R5, R5
	BLT  tail1

loop1:
	VLD1.P 16(R0), [V0.B16]
	LOADW(V4, V5, V6, V7)
	LOADW(V8, V9, V10, V11)
	QUAD1(16, 4, 0)
	LOADW(V4, V5, V6, V7)
	QUAD1(20, 8, 1)
	LOADW(V8, V9, V10, V11)
	QUAD1(16, 4, 2)
	QUAD1(20, 8, 3)
	SUBS $4, R5, R5
	BGE  loop1

tail1:
	ADDS $4, R5, R5
	BEQ  store1

tailloop1:
	VLD1.P 4(R0), V0.S[0]
	LOADW(V4, V5, V6, V7)
	QUAD1(16, 4, 0)
	SUBS   $1, R5, R5
	BNE    tailloop1

store1:
	VADD V20.S4, V16.S4, V16.S4
	VADD V21.S4, V17.S4, V17.S4
	VADD V22.S4, V18.S4, V18.S4
	VADD V23.S4, V19.S4, V19.S4
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R6)
	RET
