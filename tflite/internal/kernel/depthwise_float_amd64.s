#include "textflag.h"

// dwRowF32 computes interior output pixels of a float32 depthwise
// convolution with depth multiplier 1, four pixels × 8 channels at a time
// so that four independent sums hide the VADDPS latency: acc = bias, then
// acc += x[tap]·w[tap] for every tap in order (separate VMULPS/VADDPS,
// never FMA: the reference loop's bits), then TFLite's clamp: v < lo →
// lo, hi < v → hi (VMAXPS/VMINPS with the bound first keep NaN and −0 as
// std::max/std::min do).
//
// in points at the first tap of the first pixel, offs holds each tap's
// byte offset from a pixel's first tap, pxStep is the byte step between
// consecutive pixels' first taps (strideW·C·4), w is [taps][C] (wstride =
// C·4 bytes, also the output pixel stride), bias is [C]. blocks = C/8.

// DWACC4 adds one tap to the four accumulators; AX points at pixel 0's
// input for the tap, Y4 holds the tap's weights.
#define DWACC4 \
	VMOVUPS (AX), Y5          \
	VMOVUPS (AX)(DX*1), Y6    \
	VMOVUPS (AX)(DX*2), Y7    \
	VMOVUPS (AX)(R15*1), Y8   \
	VMULPS  Y4, Y5, Y5        \
	VMULPS  Y4, Y6, Y6        \
	VMULPS  Y4, Y7, Y7        \
	VMULPS  Y4, Y8, Y8        \
	VADDPS  Y5, Y0, Y0        \
	VADDPS  Y6, Y1, Y1        \
	VADDPS  Y7, Y2, Y2        \
	VADDPS  Y8, Y3, Y3

// func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int)
TEXT ·dwRowF32(SB), NOSPLIT, $0-88
	MOVQ  offs+8(FP), R8
	MOVQ  taps+16(FP), R9
	LEAQ  (R8)(R9*8), R9
	MOVQ  pxStep+24(FP), DX
	LEAQ  (DX)(DX*2), R15
	MOVQ  wstride+40(FP), R10
	MOVSS lo+56(FP), X14
	VBROADCASTSS X14, Y14
	MOVSS hi+60(FP), X15
	VBROADCASTSS X15, Y15
	MOVQ  blocks+80(FP), R14
	XORQ  R13, R13
	TESTQ R14, R14
	JZ    rowdone
	CMPQ  R8, R9
	JEQ   rowdone

rowblock:
	MOVQ    in+0(FP), SI
	ADDQ    R13, SI
	MOVQ    dst+64(FP), DI
	ADDQ    R13, DI
	MOVQ    w+32(FP), BX
	ADDQ    R13, BX
	MOVQ    bias+48(FP), AX
	VMOVUPS (AX)(R13*1), Y9
	MOVQ    pixels+72(FP), CX
	CMPQ    CX, $4
	JLT     rowone

rowquad:
	VMOVAPS Y9, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y9, Y2
	VMOVAPS Y9, Y3
	MOVQ    R8, R11
	MOVQ    BX, R12

rowtap:
	MOVQ    (R11), AX
	ADDQ    SI, AX
	VMOVUPS (R12), Y4
	DWACC4
	ADDQ    $8, R11
	ADDQ    R10, R12
	CMPQ    R11, R9
	JLT     rowtap

	VMAXPS  Y0, Y14, Y0
	VMAXPS  Y1, Y14, Y1
	VMAXPS  Y2, Y14, Y2
	VMAXPS  Y3, Y14, Y3
	VMINPS  Y0, Y15, Y0
	VMINPS  Y1, Y15, Y1
	VMINPS  Y2, Y15, Y2
	VMINPS  Y3, Y15, Y3
	VMOVUPS Y0, (DI)
	ADDQ    R10, DI
	VMOVUPS Y1, (DI)
	ADDQ    R10, DI
	VMOVUPS Y2, (DI)
	ADDQ    R10, DI
	VMOVUPS Y3, (DI)
	ADDQ    R10, DI
	LEAQ    (SI)(DX*4), SI
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     rowquad

rowone:
	TESTQ CX, CX
	JZ    rownext

rowonepx:
	VMOVAPS Y9, Y0
	MOVQ    R8, R11
	MOVQ    BX, R12

rowonetap:
	MOVQ    (R11), AX
	VMOVUPS (SI)(AX*1), Y5
	VMULPS  (R12), Y5, Y5
	VADDPS  Y5, Y0, Y0
	ADDQ    $8, R11
	ADDQ    R10, R12
	CMPQ    R11, R9
	JLT     rowonetap

	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ    R10, DI
	ADDQ    DX, SI
	DECQ    CX
	JNZ     rowonepx

rownext:
	ADDQ $32, R13
	DECQ R14
	JNZ  rowblock

rowdone:
	VZEROUPPER
	RET
