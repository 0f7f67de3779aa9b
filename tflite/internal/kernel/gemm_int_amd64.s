#include "textflag.h"
#include "gemm_int_amd64.h"

// AVX2 int16 dot-product kernels for gemm_int_simd.go, storing int32
// sums: 4 rows × 16 channels, 1 row × 16 channels and 4 rows × 8
// channels, each with int16 weights or int8 ones widened on load
// (VPMOVSXBW: half the packed bytes, for filters whose offset weights fit
// in int8). The steps and the layout are gemm_int_amd64.h's.

// DOT4 is a whole 4-row kernel: ZERO clears the sums, STEP adds one tap
// pair (DOTSTEP or DOTSTEPH), STORE writes the sums to out.
#define DOT4(ZERO, STEP, STORE) \
	MOVQ  a+0(FP), SI        \
	MOVQ  lda+8(FP), DX      \
	MOVQ  b+16(FP), R15      \
	MOVQ  kpairs+24(FP), CX  \
	MOVQ  out+32(FP), DI     \
	LEAQ  (SI)(DX*1), R8     \
	LEAQ  (R8)(DX*1), R9     \
	LEAQ  (R9)(DX*1), R10    \
	ZERO                     \
	TESTQ CX, CX             \
	JZ    store              \
loop:                            \
	STEP                     \
	DECQ  CX                 \
	JNZ   loop               \
store:                           \
	STORE                    \
	VZEROUPPER               \
	RET

// The half-width tiles (dotI8x4x8, dotI16x4x8) serve a last channel
// block with at most 8 live channels (a first layer with 8 filters, say):
// 4 rows × 8 channels from the same [kpairs][16][2] layout, reading each
// pair's first 8 channels and skipping the zero ones, which halves the
// multiplies.
#define ZERO4X8 \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3

// STORE4X8 keeps out's 16-lane row stride; lanes 8-15 are left as they
// were.
#define STORE4X8 \
	VMOVDQU Y0, (DI)    \
	VMOVDQU Y1, 64(DI)  \
	VMOVDQU Y2, 128(DI) \
	VMOVDQU Y3, 192(DI)

// DOT1 is a whole 1-row kernel. Two tap pairs per iteration go into
// separate accumulators, so the additions of consecutive pairs do not
// wait on each other. LOAD2 loads two pairs' weights into Y4-Y7 and
// advances R15; LOAD1 loads the last odd pair's into Y4, Y5.
#define DOT1(LOAD2, LOAD1) \
	MOVQ         a+0(FP), SI      \
	MOVQ         b+8(FP), R15     \
	MOVQ         kpairs+16(FP), CX \
	MOVQ         out+24(FP), DI   \
	VPXOR        Y0, Y0, Y0       \
	VPXOR        Y1, Y1, Y1       \
	VPXOR        Y2, Y2, Y2       \
	VPXOR        Y3, Y3, Y3       \
	CMPQ         CX, $2           \
	JLT          tail             \
loop:                                 \
	VPBROADCASTD (SI), Y10        \
	VPBROADCASTD 4(SI), Y11       \
	LOAD2                         \
	VPMADDWD     Y4, Y10, Y12     \
	VPMADDWD     Y5, Y10, Y13     \
	VPMADDWD     Y6, Y11, Y14     \
	VPMADDWD     Y7, Y11, Y15     \
	VPADDD       Y12, Y0, Y0      \
	VPADDD       Y13, Y1, Y1      \
	VPADDD       Y14, Y2, Y2      \
	VPADDD       Y15, Y3, Y3      \
	ADDQ         $8, SI           \
	SUBQ         $2, CX           \
	CMPQ         CX, $2           \
	JGE          loop             \
tail:                                 \
	TESTQ        CX, CX           \
	JZ           store            \
	VPBROADCASTD (SI), Y10        \
	LOAD1                         \
	VPMADDWD     Y4, Y10, Y12     \
	VPMADDWD     Y5, Y10, Y13     \
	VPADDD       Y12, Y0, Y0      \
	VPADDD       Y13, Y1, Y1      \
store:                                \
	VPADDD       Y2, Y0, Y0       \
	VPADDD       Y3, Y1, Y1       \
	VMOVDQU      Y0, (DI)         \
	VMOVDQU      Y1, 32(DI)       \
	VZEROUPPER                    \
	RET

#define LOAD2W16 \
	VMOVDQU (R15), Y4   \
	VMOVDQU 32(R15), Y5 \
	VMOVDQU 64(R15), Y6 \
	VMOVDQU 96(R15), Y7 \
	ADDQ    $128, R15

#define LOAD2W8 \
	VPMOVSXBW (R15), Y4   \
	VPMOVSXBW 16(R15), Y5 \
	VPMOVSXBW 32(R15), Y6 \
	VPMOVSXBW 48(R15), Y7 \
	ADDQ      $64, R15

#define LOAD1W16 \
	VMOVDQU (R15), Y4   \
	VMOVDQU 32(R15), Y5

#define LOAD1W8 \
	VPMOVSXBW (R15), Y4   \
	VPMOVSXBW 16(R15), Y5

// WIDEN is widenInt8 and widenUint8 with EXT the sign or zero extension:
// dst[i] = int16(src[i]) + off for 16·blocks values.
#define WIDEN(EXT) \
	MOVQ         dst+0(FP), DI    \
	MOVQ         src+8(FP), SI    \
	MOVQ         blocks+16(FP), CX \
	MOVWLZX      off+24(FP), AX   \
	VMOVD        AX, X7           \
	VPBROADCASTW X7, Y7           \
	TESTQ        CX, CX           \
	JZ           done             \
loop:                                 \
	EXT          (SI), Y0         \
	VPADDW       Y7, Y0, Y0       \
	VMOVDQU      Y0, (DI)         \
	ADDQ         $16, SI          \
	ADDQ         $32, DI          \
	DECQ         CX               \
	JNZ          loop             \
done:                                 \
	VZEROUPPER                    \
	RET

// func dotI16x4x16(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI16x4x16(SB), NOSPLIT, $0-40
	DOT4(ZERO4X16, DOTSTEP(LOADW16), STORE4X16)

// func dotI8x4x16(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)
TEXT ·dotI8x4x16(SB), NOSPLIT, $0-40
	DOT4(ZERO4X16, DOTSTEP(LOADW8), STORE4X16)

// func dotI8x4x8(a *int16, lda uintptr, b *int8, kpairs int, out *[64]int32)
TEXT ·dotI8x4x8(SB), NOSPLIT, $0-40
	DOT4(ZERO4X8, DOTSTEPH(LOADWH8), STORE4X8)

// func dotI16x4x8(a *int16, lda uintptr, b *int16, kpairs int, out *[64]int32)
TEXT ·dotI16x4x8(SB), NOSPLIT, $0-40
	DOT4(ZERO4X8, DOTSTEPH(LOADWH16), STORE4X8)

// func dotI16x1x16(a *int16, b *int16, kpairs int, out *[16]int32)
TEXT ·dotI16x1x16(SB), NOSPLIT, $0-32
	DOT1(LOAD2W16, LOAD1W16)

// func dotI8x1x16(a *int16, b *int8, kpairs int, out *[16]int32)
TEXT ·dotI8x1x16(SB), NOSPLIT, $0-32
	DOT1(LOAD2W8, LOAD1W8)

// func widenInt8(dst *int16, src *int8, blocks int, off int16)
TEXT ·widenInt8(SB), NOSPLIT, $0-26
	WIDEN(VPMOVSXBW)

// func widenUint8(dst *int16, src *uint8, blocks int, off int16)
TEXT ·widenUint8(SB), NOSPLIT, $0-26
	WIDEN(VPMOVZXBW)
