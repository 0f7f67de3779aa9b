#include "textflag.h"

// AVX2 float32 kernels for gemm_float_amd64.go. Each lane is one output
// channel and adds its products in k order with separate VMULPS (rounds
// the product) and VADDPS (rounds the sum) — never FMA — so every output
// has exactly the bits of the portable loop `s += float32(x*w)`.
// B is packed per 16 channels as [k][16] float32 (64 bytes per tap).

// func dotF32x4x16(a *float32, lda uintptr, b *float32, k int, out *[64]float32)
TEXT ·dotF32x4x16(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ  CX, CX
	JZ     fstore4

floop4:
	VMOVUPS      (BX), Y8
	VMOVUPS      32(BX), Y9
	VBROADCASTSS (SI), Y10
	VBROADCASTSS (R8), Y11
	VMULPS       Y8, Y10, Y12
	VMULPS       Y9, Y10, Y13
	VADDPS       Y12, Y0, Y0
	VADDPS       Y13, Y1, Y1
	VMULPS       Y8, Y11, Y14
	VMULPS       Y9, Y11, Y15
	VADDPS       Y14, Y2, Y2
	VADDPS       Y15, Y3, Y3
	VBROADCASTSS (R9), Y10
	VBROADCASTSS (R10), Y11
	VMULPS       Y8, Y10, Y12
	VMULPS       Y9, Y10, Y13
	VADDPS       Y12, Y4, Y4
	VADDPS       Y13, Y5, Y5
	VMULPS       Y8, Y11, Y14
	VMULPS       Y9, Y11, Y15
	VADDPS       Y14, Y6, Y6
	VADDPS       Y15, Y7, Y7
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $64, BX
	DECQ         CX
	JNZ          floop4

fstore4:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VZEROUPPER
	RET

// func dotF32x1x16(a *float32, b *float32, k int, out *[16]float32)
TEXT ·dotF32x1x16(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), BX
	MOVQ k+16(FP), CX
	MOVQ out+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ  CX, CX
	JZ     fstore1

floop1:
	VBROADCASTSS (SI), Y10
	VMULPS       (BX), Y10, Y12
	VMULPS       32(BX), Y10, Y13
	VADDPS       Y12, Y0, Y0
	VADDPS       Y13, Y1, Y1
	ADDQ         $4, SI
	ADDQ         $64, BX
	DECQ         CX
	JNZ          floop1

fstore1:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func dotF32x4x8(a *float32, lda uintptr, b *float32, k int, out *[64]float32)
// The 4-row tile for a last block with at most 8 live channels: each
// tap's first 8 channels only (the rest of the block is zero weights),
// in the same k order, so lanes 0-7 equal dotF32x4x16's bit for bit.
// out keeps the 16-lane row stride; lanes 8-15 are left as they were.
TEXT ·dotF32x4x8(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	TESTQ  CX, CX
	JZ     fstoreh

floop4h:
	VMOVUPS      (BX), Y8
	VBROADCASTSS (SI), Y10
	VBROADCASTSS (R8), Y11
	VBROADCASTSS (R9), Y12
	VBROADCASTSS (R10), Y13
	VMULPS       Y8, Y10, Y10
	VMULPS       Y8, Y11, Y11
	VMULPS       Y8, Y12, Y12
	VMULPS       Y8, Y13, Y13
	VADDPS       Y10, Y0, Y0
	VADDPS       Y11, Y1, Y1
	VADDPS       Y12, Y2, Y2
	VADDPS       Y13, Y3, Y3
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $64, BX
	DECQ         CX
	JNZ          floop4h

fstoreh:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 64(DI)
	VMOVUPS Y2, 128(DI)
	VMOVUPS Y3, 192(DI)
	VZEROUPPER
	RET
