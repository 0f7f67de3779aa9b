#include "textflag.h"
#include "neon_arm64.h"

// requant16 requantizes rows×16 int32 sums to bytes exactly as
// fixedpoint.MultiplyByQuantizedMultiplier + zero point + clamp, the
// NEON counterpart of requant_amd64.s. It is gemmlowp's NEON sequence
// (fixedpoint_neon.h), which TFLite's optimized kernels use:
//   x = (acc + bias) << left                  ADD, SSHL (int32, wrapping)
//   s = SQRDMULH(x, multiplier)               = SaturatingRoundingDoublingHighMul:
//       both are floor((x·m + 2^30) / 2^31); for x·m < 0 the reference's
//       truncating (x·m + 1 − 2^30) / 2^31 is that floor. SQRDMULH
//       saturates only MinInt32·MinInt32, as the reference does.
//   r = SRSHL(SQADD(s, fixup), −right)        = RoundingDivideByPOT:
//       SRSHL rounds half up; fixup = (s & −right) >> 31 is −1 exactly
//       when s < 0 and right > 0, and subtracting 1 first turns half up
//       into half away from zero (SQADD keeps MinInt32 from wrapping; its
//       quotient is exact either way).
//   out = clamp(r + outOff, actMin, actMax)   ADD, SMAX, SMIN
// The clamped values lie in the output type's range, so keeping each
// lane's low byte (two UZP1 narrowings) stores them for int8 and uint8
// alike; rqConsts.unsigned is not needed.
// Block layout (rqBlock): bias, left, multiplier, right, mask, half — each
// [16]int32 at offsets 0, 64, 128, 192, 256, 320 (mask and half unused).
// Consts (rqConsts): outOff, actMin, actMax at 0, 4, 8.
//
// Registers: V0-V3 the sums (channels 4i..4i+3 in Vi), V4-V7 bias, V8-V11
// left, V12-V15 multiplier, V16-V19 right, V20-V23 scratch, V28-V30 the
// constants, V31 zero.

// REQ4 requantizes the four lanes of Vx with the block lanes Vb, Vl, Vm,
// Vr, using Vt as scratch.
#define REQ4(x, b, l, m, r, t) \
	ADD_4S(x, x, b)        \
	SSHL_4S(x, x, l)       \
	SQRDMULH_4S(x, x, m)   \
	SUB_4S(r, 31, r)       \
	AND_16B(t, x, r)       \
	SSHR31_4S(t, t)        \
	SQADD_4S(x, x, t)      \
	SRSHL_4S(x, x, r)      \
	ADD_4S(x, x, 28)       \
	SMAX_4S(x, x, 29)      \
	SMIN_4S(x, x, 30)

// Row r uses block blk + r·blkStride bytes: 0 for rows of one channel
// block (GEMM tiles), sizeof(rqBlock) for consecutive blocks of one pixel.

// func requant16(acc *int32, rows int, blk *rqBlock, blkStride uintptr, out *byte, ldo uintptr, c *rqConsts)
TEXT ·requant16(SB), NOSPLIT, $0-56
	MOVD    acc+0(FP), R0
	MOVD    rows+8(FP), R1
	MOVD    blk+16(FP), R2
	MOVD    blkStride+24(FP), R3
	MOVD    out+32(FP), R4
	MOVD    ldo+40(FP), R5
	MOVD    c+48(FP), R6
	VLD1R.P 4(R6), [V28.S4]
	VLD1R.P 4(R6), [V29.S4]
	VLD1R   (R6), [V30.S4]
	VEOR    V31.B16, V31.B16, V31.B16
	CBZ     R1, done

row:
	MOVD   R2, R7
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R7), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R7), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R7), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1   (R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	REQ4(0, 4, 8, 12, 16, 20)
	REQ4(1, 5, 9, 13, 17, 21)
	REQ4(2, 6, 10, 14, 18, 22)
	REQ4(3, 7, 11, 15, 19, 23)
	VUZP1  V1.H8, V0.H8, V0.H8
	VUZP1  V3.H8, V2.H8, V2.H8
	VUZP1  V2.B16, V0.B16, V0.B16
	VST1   [V0.B16], (R4)
	ADD    R5, R4
	ADD    R3, R2
	SUBS   $1, R1, R1
	BNE    row

done:
	RET
