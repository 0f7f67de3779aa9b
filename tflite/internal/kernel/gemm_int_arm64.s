#include "textflag.h"
#include "neon_arm64.h"

// NEON int16 dot-product kernels for gemm_int_simd.go, the counterparts of
// gemm_int_amd64.s with the same arguments and results.
//
// B is packed per 16 output channels as [kpairs][16 channels][2] (int16,
// or int8 for the I8 kernels); VLD2 splits one tap pair's block into the
// even-tap and odd-tap weights of channels 0-7 and 8-15, in channel
// order. A rows are int16 with an even length; one row's two taps are
// loaded as a 32-bit lane of V0, so row r's taps are V0.H[2r], V0.H[2r+1].
//
// SMLAL/SMLAL2 by element multiply four int16 lanes by one int16 and add
// the int32 products: operands lie in [-255, 255], so every product is
// exact, and the int32 additions wrap like TFLite's accumulator. Each
// channel's sum is the same set of products as the portable loop's, and
// wrapping addition is associative, so the results are identical.
//
// Registers: V0 the A taps, V4-V7 the weights (V4/V6 even tap, channels
// 0-7/8-15; V5/V7 odd tap), V8-V9 int8 weights before widening,
// V16-V31 the accumulators (row r, channels 4q..4q+3 in V16+4r+q).

// ROWPAIR adds one tap pair of one row, A taps in V0.H[i] and V0.H[i+1],
// to the four accumulators of that row.
#define ROWPAIR(a0, a1, a2, a3, i) \
	SMLAL_LANE(a0, 4, 0, i)        \
	SMLAL2_LANE(a1, 4, 0, i)       \
	SMLAL_LANE(a2, 6, 0, i)        \
	SMLAL2_LANE(a3, 6, 0, i)       \
	SMLAL_LANE(a0, 5, 0, i+1)      \
	SMLAL2_LANE(a1, 5, 0, i+1)     \
	SMLAL_LANE(a2, 7, 0, i+1)      \
	SMLAL2_LANE(a3, 7, 0, i+1)

// PAIR1 is ROWPAIR for a single row with the odd tap's products in
// separate accumulators V20-V23.
#define PAIR1 \
	SMLAL_LANE(16, 4, 0, 0)  \
	SMLAL2_LANE(17, 4, 0, 0) \
	SMLAL_LANE(18, 6, 0, 0)  \
	SMLAL2_LANE(19, 6, 0, 0) \
	SMLAL_LANE(20, 5, 0, 1)  \
	SMLAL2_LANE(21, 5, 0, 1) \
	SMLAL_LANE(22, 7, 0, 1)  \
	SMLAL2_LANE(23, 7, 0, 1)

// LOADA4 loads the next tap pair of the four rows into V0.
#define LOADA4 \
	VLD1.P 4(R0), V0.S[0] \
	VLD1.P 4(R1), V0.S[1] \
	VLD1.P 4(R2), V0.S[2] \
	VLD1.P 4(R3), V0.S[3]

// LOADW16 loads one tap pair of int16 weights into V4-V7.
#define LOADW16 \
	VLD2.P 32(R4), [V4.H8, V5.H8] \
	VLD2.P 32(R4), [V6.H8, V7.H8]

// LOADW8 loads one tap pair of int8 weights and widens them into V4-V7.
#define LOADW8 \
	VLD2.P 32(R4), [V8.B16, V9.B16] \
	SXTL_8H(4, 8)                   \
	SXTL2_8H(6, 8)                  \
	SXTL_8H(5, 9)                   \
	SXTL2_8H(7, 9)

#define ZERO8 \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16 \
	VEOR V20.B16, V20.B16, V20.B16 \
	VEOR V21.B16, V21.B16, V21.B16 \
	VEOR V22.B16, V22.B16, V22.B16 \
	VEOR V23.B16, V23.B16, V23.B16

#define ZERO16 \
	ZERO8                          \
	VEOR V24.B16, V24.B16, V24.B16 \
	VEOR V25.B16, V25.B16, V25.B16 \
	VEOR V26.B16, V26.B16, V26.B16 \
	VEOR V27.B16, V27.B16, V27.B16 \
	VEOR V28.B16, V28.B16, V28.B16 \
	VEOR V29.B16, V29.B16, V29.B16 \
	VEOR V30.B16, V30.B16, V30.B16 \
	VEOR V31.B16, V31.B16, V31.B16

#define STORE4 \
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R6) \
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R6) \
	VST1.P [V24.S4, V25.S4, V26.S4, V27.S4], 64(R6) \
	VST1   [V28.S4, V29.S4, V30.S4, V31.S4], (R6)

// STORE1 adds the odd-tap accumulators V20-V23 of a single row to the
// even-tap ones V16-V19 and stores the 16 sums.
#define STORE1 \
	VADD V20.S4, V16.S4, V16.S4 \
	VADD V21.S4, V17.S4, V17.S4 \
	VADD V22.S4, V18.S4, V18.S4 \
	VADD V23.S4, V19.S4, V19.S4 \
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R6)

// DOT4 is a whole 4-row kernel; LOADW loads one tap pair's weights
// (LOADW16 or LOADW8).
#define DOT4(LOADW) \
	MOVD a+0(FP), R0            \
	MOVD lda+8(FP), R7          \
	MOVD b+16(FP), R4           \
	MOVD kpairs+24(FP), R5      \
	MOVD out+32(FP), R6         \
	ADD  R7, R0, R1             \
	ADD  R7, R1, R2             \
	ADD  R7, R2, R3             \
	ZERO16                      \
	CBZ  R5, store              \
loop:                               \
	LOADW                       \
	LOADA4                      \
	ROWPAIR(16, 17, 18, 19, 0)  \
	ROWPAIR(20, 21, 22, 23, 2)  \
	ROWPAIR(24, 25, 26, 27, 4)  \
	ROWPAIR(28, 29, 30, 31, 6)  \
	SUBS $1, R5, R5             \
	BNE  loop                   \
store:                              \
	STORE4                      \
	RET

// DOT1 is a whole 1-row kernel. A single row keeps the even and odd
// taps' products in separate accumulators (V16-V19, V20-V23), added at
// the end, so consecutive SMLALs do not wait on each other.
#define DOT1(LOADW) \
	MOVD   a+0(FP), R0          \
	MOVD   b+8(FP), R4          \
	MOVD   kpairs+16(FP), R5    \
	MOVD   out+24(FP), R6       \
	ZERO8                       \
	CBZ    R5, store            \
loop:                               \
	LOADW                       \
	VLD1.P 4(R0), V0.S[0]       \
	PAIR1                       \
	SUBS   $1, R5, R5           \
	BNE    loop                 \
store:                              \
	STORE1                      \
	RET

// WIDEN is widenInt8 and widenUint8: dst[i] = int16(src[i]) + off for
// 16·blocks values (int16 addition, as convWiden's), with XTL and XTL2
// the sign or zero extension of the low and high 8 bytes.
#define WIDEN(XTL, XTL2) \
	MOVD   dst+0(FP), R0        \
	MOVD   src+8(FP), R1        \
	MOVD   blocks+16(FP), R2    \
	MOVH   off+24(FP), R3       \
	VDUP   R3, V7.H8            \
	CBZ    R2, done             \
loop:                               \
	VLD1.P 16(R1), [V0.B16]     \
	XTL(1, 0)                   \
	XTL2(2, 0)                  \
	VADD   V7.H8, V1.H8, V1.H8  \
	VADD   V7.H8, V2.H8, V2.H8  \
	VST1.P [V1.H8, V2.H8], 32(R0) \
	SUBS   $1, R2, R2           \
	BNE    loop                 \
done:                               \
	RET

// func dotI16x4x16(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI16x4x16(SB), NOSPLIT, $0-40
	DOT4(LOADW16)

// func dotI8x4x16(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)
TEXT ·dotI8x4x16(SB), NOSPLIT, $0-40
	DOT4(LOADW8)

// func dotI16x1x16(a *int16, b *int16, kpairs int, out *[16]int32)
TEXT ·dotI16x1x16(SB), NOSPLIT, $0-32
	DOT1(LOADW16)

// func dotI8x1x16(a *int16, b *int8, kpairs int, out *[16]int32)
TEXT ·dotI8x1x16(SB), NOSPLIT, $0-32
	DOT1(LOADW8)

// func widenInt8(dst *int16, src *int8, blocks int, off int16)
TEXT ·widenInt8(SB), NOSPLIT, $0-26
	WIDEN(SXTL_8H, SXTL2_8H)

// func widenUint8(dst *int16, src *uint8, blocks int, off int16)
TEXT ·widenUint8(SB), NOSPLIT, $0-26
	WIDEN(UXTL_8H, UXTL2_8H)
