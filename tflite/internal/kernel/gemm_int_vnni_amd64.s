#include "textflag.h"
#include "vnni_amd64.h"
#include "gemm_int_amd64.h"

// The VNNI dot4 kernels: 4 rows (or 1) × 16 channels of Σ (a + 128)·w,
// four taps per VPDPBUSD, in two encodings: EVEX (AVX512-VNNI with
// AVX512VL, ymm registers) and VEX (AVX-VNNI, the client cores without
// AVX-512), same registers, same results. Weights come in the dot4 layout
// [k/4][16][4] int8, so one kquad's 64 bytes are channels 0-7 (four taps
// each, one int32 lane per channel) then 8-15. Each row's four input
// bytes are broadcast to every lane and their sign bits flipped
// (a XOR 0x80 = a + 128 as an unsigned byte), VPDPBUSD's unsigned
// operand. Int32 lanes wrap like TFLite's accumulators.
//
// Registers: SI, R8, R9, R10 the rows; BX the weights; CX kquads left;
// Y0-Y7 the sums (row r in Y2r, Y2r+1); Y8, Y9 the kquad's weights; Y10
// the broadcast row bytes; Y11 0x80 in every byte.

// KERNEL4 is the body of the 4-row kernels, KERNEL1 of the single-row
// ones, with DOT one of vnni_amd64.h's VPDPBUSD forms.
#define KERNEL4(DOT) \
	MOVQ  a+0(FP), SI                   \
	MOVQ  lda+8(FP), DX                 \
	MOVQ  b+16(FP), BX                  \
	MOVQ  kquads+24(FP), CX             \
	MOVQ  out+32(FP), DI                \
	LEAQ  (SI)(DX*1), R8                \
	LEAQ  (R8)(DX*1), R9                \
	LEAQ  (R9)(DX*1), R10               \
	SIGNBITS(AX)                            \
	ZERO4X16                            \
	TESTQ CX, CX                        \
	JZ    store4                        \
loop4:                                      \
	VMOVDQU (BX), Y8                    \
	VMOVDQU 32(BX), Y9                  \
	ADDQ    $64, BX                     \
	VNNIROW(DOT, SI, Y0, Y1, 0, 1)      \
	VNNIROW(DOT, R8, Y2, Y3, 2, 3)      \
	VNNIROW(DOT, R9, Y4, Y5, 4, 5)      \
	VNNIROW(DOT, R10, Y6, Y7, 6, 7)     \
	DECQ    CX                          \
	JNZ     loop4                       \
store4:                                     \
	STORE4X16                           \
	VZEROUPPER                          \
	RET

#define KERNEL1(DOT) \
	MOVQ  a+0(FP), SI                   \
	MOVQ  b+8(FP), BX                   \
	MOVQ  kquads+16(FP), CX             \
	MOVQ  out+24(FP), DI                \
	SIGNBITS(AX)                            \
	VPXOR Y0, Y0, Y0                    \
	VPXOR Y1, Y1, Y1                    \
	TESTQ CX, CX                        \
	JZ    store1                        \
loop1:                                      \
	VMOVDQU (BX), Y8                    \
	VMOVDQU 32(BX), Y9                  \
	ADDQ    $64, BX                     \
	VNNIROW(DOT, SI, Y0, Y1, 0, 1)      \
	DECQ    CX                          \
	JNZ     loop1                       \
store1:                                     \
	VMOVDQU Y0, 0(DI)                   \
	VMOVDQU Y1, 32(DI)                  \
	VZEROUPPER                          \
	RET

// func dotS8x4x16EVEX(a *int8, lda uintptr, b *int8, kquads int, out *[64]int32)
TEXT ·dotS8x4x16EVEX(SB), NOSPLIT, $0-40
	KERNEL4(DPBUSD)

// func dotS8x1x16EVEX(a *int8, b *int8, kquads int, out *[16]int32)
TEXT ·dotS8x1x16EVEX(SB), NOSPLIT, $0-32
	KERNEL1(DPBUSD)

// func dotS8x4x16VEX(a *int8, lda uintptr, b *int8, kquads int, out *[64]int32)
TEXT ·dotS8x4x16VEX(SB), NOSPLIT, $0-40
	KERNEL4(DPBUSDVEX)

// func dotS8x1x16VEX(a *int8, b *int8, kquads int, out *[16]int32)
TEXT ·dotS8x1x16VEX(SB), NOSPLIT, $0-32
	KERNEL1(DPBUSDVEX)
