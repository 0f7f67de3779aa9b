#include "textflag.h"
#include "neon_arm64.h"

// dwRowF32 computes interior output pixels of a float32 depthwise
// convolution with depth multiplier 1, the NEON counterpart of
// depthwise_float_amd64.s with the same arguments and results: four
// pixels × 8 channels at a time, so that eight independent sums hide the
// FADD latency: acc = bias, then acc += x[tap]·w[tap] for every tap in
// order (separate FMUL and FADD, never FMLA: the reference loop's bits),
// then clampF32 — v < lo → lo, then hi < v → hi — as compare-and-select
// (FCMGT, BIT), so NaN and −0 pass through as in TFLite's
// std::max/std::min and in the AVX2 VMAXPS/VMINPS operand order.
//
// in points at the first tap of the first pixel, offs holds each tap's
// byte offset from a pixel's first tap, pxStep is the byte step between
// consecutive pixels' first taps (strideW·C·4), w is [taps][C] (wstride =
// C·4 bytes, also the output pixel stride), bias is [C]. blocks = C/8.
//
// Registers: R0 offs, R1 offs end, R2 pxStep, R3 wstride, R4 blocks
// left, R5 the block's byte offset, R6 the pixel's input, R7 dst, R8 the
// block's weights, R9 pixels left, R10 offs cursor, R11 weight cursor,
// R12-R15 the tap's inputs of the four pixels; V0-V7 inputs and products,
// V16-V23 the sums (pixel p, channels 4h..4h+3 in V16+2p+h), V24/V25 the
// tap's weights, V26/V27 the bias, V28/V29 compare masks, V30/V31 lo/hi
// in every lane.

// DWCLAMP clamps the sums in va and vb to [V30, V31] with clampF32's
// comparisons, V28/V29 as masks.
#define DWCLAMP(va, vb) \
	FCMGT_4S(28, 30, va) \
	FCMGT_4S(29, 30, vb) \
	BIT_16B(va, 30, 28)  \
	BIT_16B(vb, 30, 29)  \
	FCMGT_4S(28, va, 31) \
	FCMGT_4S(29, vb, 31) \
	BIT_16B(va, 31, 28)  \
	BIT_16B(vb, 31, 29)

// func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int)
TEXT ·dwRowF32(SB), NOSPLIT, $0-88
	MOVD  offs+8(FP), R0
	MOVD  taps+16(FP), R1
	ADD   R1<<3, R0, R1
	MOVD  pxStep+24(FP), R2
	MOVD  wstride+40(FP), R3
	FMOVS lo+56(FP), F30
	FMOVS hi+60(FP), F31
	VDUP  V30.S[0], V30.S4
	VDUP  V31.S[0], V31.S4
	MOVD  blocks+80(FP), R4
	MOVD  $0, R5
	CBZ   R4, rowdone
	CMP   R0, R1
	BEQ   rowdone

rowblock:
	MOVD in+0(FP), R6
	ADD  R5, R6
	MOVD dst+64(FP), R7
	ADD  R5, R7
	MOVD w+32(FP), R8
	ADD  R5, R8
	MOVD bias+48(FP), R12
	ADD  R5, R12
	VLD1 (R12), [V26.S4, V27.S4]
	MOVD pixels+72(FP), R9
	CMP  $4, R9
	BLT  rowone

rowquad:
	VMOV V26.B16, V16.B16
	VMOV V27.B16, V17.B16
	VMOV V26.B16, V18.B16
	VMOV V27.B16, V19.B16
	VMOV V26.B16, V20.B16
	VMOV V27.B16, V21.B16
	VMOV V26.B16, V22.B16
	VMOV V27.B16, V23.B16
	MOVD R0, R10
	MOVD R8, R11

rowtap:
	MOVD.P 8(R10), R12
	ADD    R6, R12
	ADD    R2, R12, R13
	ADD    R2, R13, R14
	ADD    R2, R14, R15
	VLD1   (R11), [V24.S4, V25.S4]
	ADD    R3, R11
	VLD1   (R12), [V0.S4, V1.S4]
	VLD1   (R13), [V2.S4, V3.S4]
	VLD1   (R14), [V4.S4, V5.S4]
	VLD1   (R15), [V6.S4, V7.S4]
	FMUL_4S(0, 0, 24)
	FMUL_4S(1, 1, 25)
	FMUL_4S(2, 2, 24)
	FMUL_4S(3, 3, 25)
	FMUL_4S(4, 4, 24)
	FMUL_4S(5, 5, 25)
	FMUL_4S(6, 6, 24)
	FMUL_4S(7, 7, 25)
	FADD_4S(16, 16, 0)
	FADD_4S(17, 17, 1)
	FADD_4S(18, 18, 2)
	FADD_4S(19, 19, 3)
	FADD_4S(20, 20, 4)
	FADD_4S(21, 21, 5)
	FADD_4S(22, 22, 6)
	FADD_4S(23, 23, 7)
	CMP    R1, R10
	BNE    rowtap

	DWCLAMP(16, 17)
	DWCLAMP(18, 19)
	DWCLAMP(20, 21)
	DWCLAMP(22, 23)
	VST1 [V16.S4, V17.S4], (R7)
	ADD  R3, R7
	VST1 [V18.S4, V19.S4], (R7)
	ADD  R3, R7
	VST1 [V20.S4, V21.S4], (R7)
	ADD  R3, R7
	VST1 [V22.S4, V23.S4], (R7)
	ADD  R3, R7
	ADD  R2<<2, R6
	SUB  $4, R9
	CMP  $4, R9
	BGE  rowquad

rowone:
	CBZ R9, rownext

rowonepx:
	VMOV V26.B16, V16.B16
	VMOV V27.B16, V17.B16
	MOVD R0, R10
	MOVD R8, R11

rowonetap:
	MOVD.P 8(R10), R12
	ADD    R6, R12
	VLD1   (R11), [V24.S4, V25.S4]
	ADD    R3, R11
	VLD1   (R12), [V0.S4, V1.S4]
	FMUL_4S(0, 0, 24)
	FMUL_4S(1, 1, 25)
	FADD_4S(16, 16, 0)
	FADD_4S(17, 17, 1)
	CMP    R1, R10
	BNE    rowonetap

	DWCLAMP(16, 17)
	VST1 [V16.S4, V17.S4], (R7)
	ADD  R3, R7
	ADD  R2, R6
	SUBS $1, R9, R9
	BNE  rowonepx

rownext:
	ADD  $32, R5
	SUBS $1, R4, R4
	BNE  rowblock

rowdone:
	RET
