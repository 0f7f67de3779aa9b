#include "textflag.h"

// AVX2 int16 dot-product kernels for gemm_int_amd64.go. VPMADDWD multiplies
// sixteen int16 pairs and adds adjacent products into eight int32 lanes;
// with operands in [-255, 255] nothing saturates, and VPADDD wraps like
// TFLite's int32 accumulator, so the sums are exact.
//
// B is packed per 16 output channels as [kpairs][16 channels][2] int16
// (64 bytes per pair of taps); A rows are int16 with an even length.

// func dotI16x4x16(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI16x4x16(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ kpairs+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	TESTQ CX, CX
	JZ    store4

loop4:
	VMOVDQU      (BX), Y8
	VMOVDQU      32(BX), Y9
	VPBROADCASTD (SI), Y10
	VPBROADCASTD (R8), Y11
	VPMADDWD     Y8, Y10, Y12
	VPMADDWD     Y9, Y10, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	VPMADDWD     Y8, Y11, Y14
	VPMADDWD     Y9, Y11, Y15
	VPADDD       Y14, Y2, Y2
	VPADDD       Y15, Y3, Y3
	VPBROADCASTD (R9), Y10
	VPBROADCASTD (R10), Y11
	VPMADDWD     Y8, Y10, Y12
	VPMADDWD     Y9, Y10, Y13
	VPADDD       Y12, Y4, Y4
	VPADDD       Y13, Y5, Y5
	VPMADDWD     Y8, Y11, Y14
	VPMADDWD     Y9, Y11, Y15
	VPADDD       Y14, Y6, Y6
	VPADDD       Y15, Y7, Y7
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $64, BX
	DECQ         CX
	JNZ          loop4

store4:
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VMOVDQU Y4, 128(DI)
	VMOVDQU Y5, 160(DI)
	VMOVDQU Y6, 192(DI)
	VMOVDQU Y7, 224(DI)
	VZEROUPPER
	RET

// func dotI16x1x16(a *int16, b *int16, kpairs int, out *[16]int32)
TEXT ·dotI16x1x16(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), BX
	MOVQ kpairs+16(FP), CX
	MOVQ out+24(FP), DI
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	CMPQ  CX, $2
	JLT   tail1

loop1:
	// Two tap pairs per iteration into separate accumulators, so the
	// additions of consecutive pairs do not wait on each other.
	VPBROADCASTD (SI), Y10
	VPBROADCASTD 4(SI), Y11
	VPMADDWD     (BX), Y10, Y12
	VPMADDWD     32(BX), Y10, Y13
	VPMADDWD     64(BX), Y11, Y14
	VPMADDWD     96(BX), Y11, Y15
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	VPADDD       Y14, Y2, Y2
	VPADDD       Y15, Y3, Y3
	ADDQ         $8, SI
	ADDQ         $128, BX
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          loop1

tail1:
	TESTQ        CX, CX
	JZ           store1
	VPBROADCASTD (SI), Y10
	VPMADDWD     (BX), Y10, Y12
	VPMADDWD     32(BX), Y10, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1

store1:
	VPADDD  Y2, Y0, Y0
	VPADDD  Y3, Y1, Y1
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VZEROUPPER
	RET

// The same kernels with int8 weights, widened on load (VPMOVSXBW): half
// the packed bytes, for filters whose offset weights fit in int8 (every
// int8 model; uint8 ones use the int16 layout). B is [kpairs][16][2] int8.

// func dotI8x4x16(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI8x4x16(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ kpairs+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	TESTQ CX, CX
	JZ    store4b

loop4b:
	VPMOVSXBW    (BX), Y8
	VPMOVSXBW    16(BX), Y9
	VPBROADCASTD (SI), Y10
	VPBROADCASTD (R8), Y11
	VPMADDWD     Y8, Y10, Y12
	VPMADDWD     Y9, Y10, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	VPMADDWD     Y8, Y11, Y14
	VPMADDWD     Y9, Y11, Y15
	VPADDD       Y14, Y2, Y2
	VPADDD       Y15, Y3, Y3
	VPBROADCASTD (R9), Y10
	VPBROADCASTD (R10), Y11
	VPMADDWD     Y8, Y10, Y12
	VPMADDWD     Y9, Y10, Y13
	VPADDD       Y12, Y4, Y4
	VPADDD       Y13, Y5, Y5
	VPMADDWD     Y8, Y11, Y14
	VPMADDWD     Y9, Y11, Y15
	VPADDD       Y14, Y6, Y6
	VPADDD       Y15, Y7, Y7
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $32, BX
	DECQ         CX
	JNZ          loop4b

store4b:
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VMOVDQU Y4, 128(DI)
	VMOVDQU Y5, 160(DI)
	VMOVDQU Y6, 192(DI)
	VMOVDQU Y7, 224(DI)
	VZEROUPPER
	RET

// func dotI8x1x16(a *int16, b *int16, kpairs int, out *[16]int32)
TEXT ·dotI8x1x16(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), BX
	MOVQ kpairs+16(FP), CX
	MOVQ out+24(FP), DI
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	CMPQ  CX, $2
	JLT   tail1b

loop1b:
	// Two tap pairs per iteration into separate accumulators, so the
	// additions of consecutive pairs do not wait on each other.
	VPBROADCASTD (SI), Y10
	VPBROADCASTD 4(SI), Y11
	VPMOVSXBW    (BX), Y4
	VPMOVSXBW    16(BX), Y5
	VPMOVSXBW    32(BX), Y6
	VPMOVSXBW    48(BX), Y7
	VPMADDWD     Y4, Y10, Y12
	VPMADDWD     Y5, Y10, Y13
	VPMADDWD     Y6, Y11, Y14
	VPMADDWD     Y7, Y11, Y15
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1
	VPADDD       Y14, Y2, Y2
	VPADDD       Y15, Y3, Y3
	ADDQ         $8, SI
	ADDQ         $64, BX
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          loop1b

tail1b:
	TESTQ        CX, CX
	JZ           store1b
	VPBROADCASTD (SI), Y10
	VPMOVSXBW    (BX), Y4
	VPMOVSXBW    16(BX), Y5
	VPMADDWD     Y4, Y10, Y12
	VPMADDWD     Y5, Y10, Y13
	VPADDD       Y12, Y0, Y0
	VPADDD       Y13, Y1, Y1

store1b:
	VPADDD  Y2, Y0, Y0
	VPADDD  Y3, Y1, Y1
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VZEROUPPER
	RET

// func widenInt8(dst *int16, src *int8, blocks int, off int16)
// dst[i] = int16(src[i]) + off for 16·blocks values.
TEXT ·widenInt8(SB), NOSPLIT, $0-26
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVWLZX off+24(FP), AX
	VMOVD AX, X7
	VPBROADCASTW X7, Y7
	TESTQ CX, CX
	JZ   wdone

wloop:
	VPMOVSXBW (SI), Y0
	VPADDW    Y7, Y0, Y0
	VMOVDQU   Y0, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       wloop

wdone:
	VZEROUPPER
	RET

// func widenUint8(dst *int16, src *uint8, blocks int, off int16)
TEXT ·widenUint8(SB), NOSPLIT, $0-26
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX
	MOVWLZX off+24(FP), AX
	VMOVD AX, X7
	VPBROADCASTW X7, Y7
	TESTQ CX, CX
	JZ   wudone

wuloop:
	VPMOVZXBW (SI), Y0
	VPADDW    Y7, Y0, Y0
	VMOVDQU   Y0, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       wuloop

wudone:
	VZEROUPPER
	RET

// Half-width tiles for a last channel block with at most 8 live channels
// (a first layer with 8 filters, say): 4 rows × 8 channels from the same
// [kpairs][16][2] layout, reading each pair's first 8 channels and
// skipping the zero ones, which halves the multiplies. out keeps the
// 16-lane row stride; lanes 8-15 are left as they were.

// func dotI8x4x8(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)
TEXT ·dotI8x4x8(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ kpairs+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    storeh8

looph8:
	VPMOVSXBW    (BX), Y8
	VPBROADCASTD (SI), Y10
	VPBROADCASTD (R8), Y11
	VPBROADCASTD (R9), Y12
	VPBROADCASTD (R10), Y13
	VPMADDWD     Y8, Y10, Y10
	VPMADDWD     Y8, Y11, Y11
	VPMADDWD     Y8, Y12, Y12
	VPMADDWD     Y8, Y13, Y13
	VPADDD       Y10, Y0, Y0
	VPADDD       Y11, Y1, Y1
	VPADDD       Y12, Y2, Y2
	VPADDD       Y13, Y3, Y3
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $32, BX
	DECQ         CX
	JNZ          looph8

storeh8:
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 64(DI)
	VMOVDQU Y2, 128(DI)
	VMOVDQU Y3, 192(DI)
	VZEROUPPER
	RET

// func dotI16x4x8(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI16x4x8(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), DX
	MOVQ b+16(FP), BX
	MOVQ kpairs+24(FP), CX
	MOVQ out+32(FP), DI
	LEAQ (SI)(DX*1), R8
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    storeh16

looph16:
	VMOVDQU      (BX), Y8
	VPBROADCASTD (SI), Y10
	VPBROADCASTD (R8), Y11
	VPBROADCASTD (R9), Y12
	VPBROADCASTD (R10), Y13
	VPMADDWD     Y8, Y10, Y10
	VPMADDWD     Y8, Y11, Y11
	VPMADDWD     Y8, Y12, Y12
	VPMADDWD     Y8, Y13, Y13
	VPADDD       Y10, Y0, Y0
	VPADDD       Y11, Y1, Y1
	VPADDD       Y12, Y2, Y2
	VPADDD       Y13, Y3, Y3
	ADDQ         $4, SI
	ADDQ         $4, R8
	ADDQ         $4, R9
	ADDQ         $4, R10
	ADDQ         $64, BX
	DECQ         CX
	JNZ          looph16

storeh16:
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 64(DI)
	VMOVDQU Y2, 128(DI)
	VMOVDQU Y3, 192(DI)
	VZEROUPPER
	RET
