#include "textflag.h"
#include "neon_arm64.h"

// NEON float32 kernels for gemm_float_arm64.go, the counterparts of
// gemm_float_amd64.s. Each lane is one output channel and adds its
// products in k order with separate FMUL (rounds the product) and FADD
// (rounds the sum) — never FMLA — so every output has exactly the bits of
// the portable loop `s += float32(x*w)`.
// B is packed per 16 channels as [k][16] float32 (64 bytes per tap).
//
// Registers: V0 the A values (row r in V0.S[r]), V4-V7 one tap's 16
// weights, V8-V15 products, V16-V31 the sums (row r, channels 4q..4q+3
// in V16+4r+q).

// ROWF adds row r's products (A in V0.S[r]) into a0-a3, with t0-t3 as
// scratch.
#define ROWF(a0, a1, a2, a3, r, t0, t1, t2, t3) \
	FMUL_LANE(t0, 4, 0, r)                  \
	FMUL_LANE(t1, 5, 0, r)                  \
	FMUL_LANE(t2, 6, 0, r)                  \
	FMUL_LANE(t3, 7, 0, r)                  \
	FADD_4S(a0, a0, t0)                     \
	FADD_4S(a1, a1, t1)                     \
	FADD_4S(a2, a2, t2)                     \
	FADD_4S(a3, a3, t3)

// func dotF32x4x16(a *float32, lda uintptr, b *float32, k int, out *[64]float32)
TEXT ·dotF32x4x16(SB), NOSPLIT, $0-40
	MOVD a+0(FP), R0
	MOVD lda+8(FP), R7
	MOVD b+16(FP), R4
	MOVD k+24(FP), R5
	MOVD out+32(FP), R6
	ADD  R7, R0, R1
	ADD  R7, R1, R2
	ADD  R7, R2, R3
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CBZ  R5, fstore4

floop4:
	VLD1.P 64(R4), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 4(R0), V0.S[0]
	VLD1.P 4(R1), V0.S[1]
	VLD1.P 4(R2), V0.S[2]
	VLD1.P 4(R3), V0.S[3]
	ROWF(16, 17, 18, 19, 0, 8, 9, 10, 11)
	ROWF(20, 21, 22, 23, 1, 12, 13, 14, 15)
	ROWF(24, 25, 26, 27, 2, 8, 9, 10, 11)
	ROWF(28, 29, 30, 31, 3, 12, 13, 14, 15)
	SUBS   $1, R5, R5
	BNE    floop4

fstore4:
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R6)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R6)
	VST1.P [V24.S4, V25.S4, V26.S4, V27.S4], 64(R6)
	VST1   [V28.S4, V29.S4, V30.S4, V31.S4], (R6)
	RET

// func dotF32x1x16(a *float32, b *float32, k int, out *[16]float32)
TEXT ·dotF32x1x16(SB), NOSPLIT, $0-32
	MOVD a+0(FP), R0
	MOVD b+8(FP), R4
	MOVD k+16(FP), R5
	MOVD out+24(FP), R6
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	CBZ  R5, fstore1

floop1:
	VLD1.P 64(R4), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 4(R0), V0.S[0]
	ROWF(16, 17, 18, 19, 0, 8, 9, 10, 11)
	SUBS   $1, R5, R5
	BNE    floop1

fstore1:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R6)
	RET
