#include "textflag.h"

// AVX2 transforms of the integer Winograd F(2×2, 3×3) convolution
// (winograd_transform.go has the portable forms and the algebra). Only
// additions, subtractions and one arithmetic shift: VPADDW/VPSUBW on
// values within int16 (|V| ≤ 1020), VPADDD/VPSUBD wrapping modulo 2³²
// like the int32 accumulator.

// IROW computes row i of Bᵀ d for 16 channels of the 4 columns into
// Y0-Y3: (A) OP (B) per column, A and B pointing at column 0 of two
// input rows, R8 = pixel stride, R11 = 3·pixel stride.
#define IROW(A, B, OP) \
	VMOVDQU (A), Y0                \
	OP      (B), Y0, Y0            \
	VMOVDQU (A)(R8*1), Y1          \
	OP      (B)(R8*1), Y1, Y1      \
	VMOVDQU (A)(R8*2), Y2          \
	OP      (B)(R8*2), Y2, Y2      \
	VMOVDQU (A)(R11*1), Y3         \
	OP      (B)(R11*1), Y3, Y3

// ICOL applies B to the row in Y0-Y3, (x0 − x2, x1 + x2, x2 − x1,
// x1 − x3), and stores the four positions at D, pixel stride apart.
#define ICOL(D) \
	VPSUBW  Y2, Y0, Y4             \
	VPADDW  Y2, Y1, Y5             \
	VPSUBW  Y1, Y2, Y6             \
	VPSUBW  Y3, Y1, Y7             \
	VMOVDQU Y4, (D)                \
	VMOVDQU Y5, (D)(R8*1)          \
	VMOVDQU Y6, (D)(R8*2)          \
	VMOVDQU Y7, (D)(R11*1)

// func winoInputAVX2(src *int16, rowStride, pix uintptr, blocks int, dst *int16, tiles int)
// For each of tiles tiles (src advancing 2 pixels, dst 16 pixels) and
// each block of 16 channels: V = Bᵀ d B of the 4×4 pixels at src, rows
// rowStride bytes apart, pixels pix bytes apart; position ξ = 4i + j
// stored at dst + ξ·pix.
TEXT ·winoInputAVX2(SB), NOSPLIT, $0-48
	MOVQ src+0(FP), SI
	MOVQ rowStride+8(FP), DX
	MOVQ pix+16(FP), R8
	MOVQ dst+32(FP), DI
	MOVQ tiles+40(FP), R10
	LEAQ (R8)(R8*2), R11
	TESTQ R10, R10
	JZ   idone

itile:
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ blocks+24(FP), CX
	TESTQ CX, CX
	JZ   inext

iblock:
	MOVQ R12, AX
	LEAQ (R12)(DX*1), BX
	LEAQ (BX)(DX*1), R14
	LEAQ (R14)(DX*1), R9
	// Rows of Bᵀ d: d0 − d2, d1 + d2, d2 − d1, d1 − d3.
	IROW(AX, R14, VPSUBW)
	ICOL(R13)
	LEAQ (R13)(R8*4), AX
	IROW(BX, R14, VPADDW)
	ICOL(AX)
	LEAQ (AX)(R8*4), AX
	IROW(R14, BX, VPSUBW)
	ICOL(AX)
	LEAQ (AX)(R8*4), AX
	IROW(BX, R9, VPSUBW)
	ICOL(AX)
	ADDQ $32, R12
	ADDQ $32, R13
	DECQ CX
	JNZ  iblock

inext:
	LEAQ (SI)(R8*2), SI
	MOVQ R8, AX
	SHLQ $4, AX
	ADDQ AX, DI
	DECQ R10
	JNZ  itile

idone:
	VZEROUPPER
	RET

// OROW computes row i of M A for 8 lanes: from m0-m3 at OFF, OFF+256,
// OFF+512, OFF+768 (positions 4i..4i+3 of winoProducts), S0 = m0 + m1 +
// m2 and S1 = m1 − m2 − m3. Clobbers Y12.
#define OROW(OFF, S0, S1) \
	VMOVDQU 256+OFF(SI), S1        \
	VMOVDQU 512+OFF(SI), Y12       \
	VPADDD  OFF(SI), S1, S0        \
	VPADDD  Y12, S0, S0            \
	VPSUBD  Y12, S1, S1            \
	VPSUBD  768+OFF(SI), S1, S1

// OTILE computes Aᵀ M A >> 2 for the 8 lanes at byte MOFF of each
// position of winoProducts and stores them in winoRows at YOFF (top
// left pixel): rows of M A in Y0-Y7, outputs (s0 + s1 + s2) and
// (s1 − s2 − s3) per column.
#define OTILE(MOFF, YOFF) \
	OROW(MOFF, Y0, Y1)             \
	OROW(1024+MOFF, Y2, Y3)        \
	OROW(2048+MOFF, Y4, Y5)        \
	OROW(3072+MOFF, Y6, Y7)        \
	VPADDD  Y2, Y0, Y8             \
	VPADDD  Y4, Y8, Y8             \
	VPSRAD  $2, Y8, Y8             \
	VMOVDQU Y8, YOFF(DI)           \
	VPADDD  Y3, Y1, Y9             \
	VPADDD  Y5, Y9, Y9             \
	VPSRAD  $2, Y9, Y9             \
	VMOVDQU Y9, 64+YOFF(DI)        \
	VPSUBD  Y4, Y2, Y10            \
	VPSUBD  Y6, Y10, Y10           \
	VPSRAD  $2, Y10, Y10           \
	VMOVDQU Y10, 512+YOFF(DI)      \
	VPSUBD  Y5, Y3, Y11            \
	VPSUBD  Y7, Y11, Y11           \
	VPSRAD  $2, Y11, Y11           \
	VMOVDQU Y11, 576+YOFF(DI)

// func winoOutputAVX2(m *winoProducts, y *winoRows)
// m is [16 positions][4 tiles][16 lanes] int32 (256 bytes per position,
// 64 per tile); y is [2 rows][8 pixels][16 lanes] int32 (512 bytes per
// row, 64 per pixel), tile t's pixels at 2t and 2t + 1.
TEXT ·winoOutputAVX2(SB), NOSPLIT, $0-16
	MOVQ m+0(FP), SI
	MOVQ y+8(FP), DI
	OTILE(0, 0)
	OTILE(32, 32)
	OTILE(64, 128)
	OTILE(96, 160)
	OTILE(128, 256)
	OTILE(160, 288)
	OTILE(192, 384)
	OTILE(224, 416)
	VZEROUPPER
	RET
