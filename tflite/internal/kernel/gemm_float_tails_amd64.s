#include "textflag.h"

// AVX2 forms of the two Eigen micro-kernel orders that are not plain k
// order (gemm_float_order.go): each lane adds its products with separate
// VMULPS and VADDPS — never FMA — in the order of the scalar loops, so the
// bits equal splitDotFloat's and laneSums'.

// func splitDotF32x4x4(a *float32, lda uintptr, w *float32, kpairs, tail int, out *[16]float32)
//
// Four rows × four channels of splitDotFloat: w is [k][4] (tap-major, the
// four channels of one tap together). Per row, channels in lanes: even
// taps of the first 2·kpairs into X0-X3, odd ones into X4-X7, then
// even+odd, then the tail taps in order. out is [row][channel].
TEXT ·splitDotF32x4x4(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ w+16(FP), BX
	MOVQ kpairs+24(FP), CX
	MOVQ tail+32(FP), AX
	MOVQ out+40(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VXORPS X0, X0, X0
	VXORPS X1, X1, X1
	VXORPS X2, X2, X2
	VXORPS X3, X3, X3
	VXORPS X4, X4, X4
	VXORPS X5, X5, X5
	VXORPS X6, X6, X6
	VXORPS X7, X7, X7
	TESTQ  CX, CX
	JZ     combine

pairs:
	VMOVUPS      (BX), X8
	VMOVUPS      16(BX), X9
	VBROADCASTSS (SI), X10
	VBROADCASTSS 4(SI), X11
	VBROADCASTSS (R8), X12
	VBROADCASTSS 4(R8), X13
	VMULPS       X8, X10, X10
	VMULPS       X9, X11, X11
	VMULPS       X8, X12, X12
	VMULPS       X9, X13, X13
	VADDPS       X10, X0, X0
	VADDPS       X11, X4, X4
	VADDPS       X12, X1, X1
	VADDPS       X13, X5, X5
	VBROADCASTSS (R9), X10
	VBROADCASTSS 4(R9), X11
	VBROADCASTSS (R10), X12
	VBROADCASTSS 4(R10), X13
	VMULPS       X8, X10, X10
	VMULPS       X9, X11, X11
	VMULPS       X8, X12, X12
	VMULPS       X9, X13, X13
	VADDPS       X10, X2, X2
	VADDPS       X11, X6, X6
	VADDPS       X12, X3, X3
	VADDPS       X13, X7, X7
	ADDQ         $8, SI
	ADDQ         $8, R8
	ADDQ         $8, R9
	ADDQ         $8, R10
	ADDQ         $32, BX
	DECQ         CX
	JNZ          pairs

combine:
	VADDPS X4, X0, X0
	VADDPS X5, X1, X1
	VADDPS X6, X2, X2
	VADDPS X7, X3, X3
	TESTQ  AX, AX
	JZ     store

tailloop:
	VMOVUPS      (BX), X8
	VBROADCASTSS (SI), X10
	VBROADCASTSS (R8), X11
	VBROADCASTSS (R9), X12
	VBROADCASTSS (R10), X13
	VMULPS       X8, X10, X10
	VMULPS       X8, X11, X11
	VMULPS       X8, X12, X12
	VMULPS       X8, X13, X13
	VADDPS       X10, X0, X0
	VADDPS       X11, X1, X1
	VADDPS       X12, X2, X2
	VADDPS       X13, X3, X3
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $16, BX
	DECQ         AX
	JNZ          tailloop

store:
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	VMOVUPS X2, 32(DI)
	VMOVUPS X3, 48(DI)
	RET

// func laneSumsF32x4(w *float32, ws uintptr, x *float32, xs uintptr, quads int, out *[16]float32)
//
// laneSums of four dot products at once, the i-th of w+i·ws by x+i·xs
// (byte strides; 0 shares an operand): rows of one channel, or channels of
// one row. Each lane j adds the products of taps k ≡ j (mod 4) over the
// first 4·quads taps in order; out[4i+j] is dot product i's lane j.
TEXT ·laneSumsF32x4(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), BX
	MOVQ ws+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ xs+24(FP), AX
	MOVQ quads+32(FP), CX
	MOVQ out+40(FP), DI
	LEAQ (BX)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	LEAQ (SI)(AX*1), R11
	LEAQ (R11)(AX*1), R12
	LEAQ (R12)(AX*1), R13
	VXORPS X0, X0, X0
	VXORPS X1, X1, X1
	VXORPS X2, X2, X2
	VXORPS X3, X3, X3
	TESTQ  CX, CX
	JZ     l4store

l4loop:
	VMOVUPS (BX), X4
	VMOVUPS (R8), X5
	VMOVUPS (R9), X6
	VMOVUPS (R10), X7
	VMULPS  (SI), X4, X4
	VMULPS  (R11), X5, X5
	VMULPS  (R12), X6, X6
	VMULPS  (R13), X7, X7
	VADDPS  X4, X0, X0
	VADDPS  X5, X1, X1
	VADDPS  X6, X2, X2
	VADDPS  X7, X3, X3
	ADDQ    $16, BX
	ADDQ    $16, R8
	ADDQ    $16, R9
	ADDQ    $16, R10
	ADDQ    $16, SI
	ADDQ    $16, R11
	ADDQ    $16, R12
	ADDQ    $16, R13
	DECQ    CX
	JNZ     l4loop

l4store:
	VMOVUPS X0, (DI)
	VMOVUPS X1, 16(DI)
	VMOVUPS X2, 32(DI)
	VMOVUPS X3, 48(DI)
	RET
