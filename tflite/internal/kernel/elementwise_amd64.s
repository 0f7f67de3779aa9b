#include "textflag.h"

// AVX2 float element-wise loops for elementwise_amd64.go, 8 lanes a step.
// The clamp is std::min(std::max(v, lo), hi): VMAXPS returns its second
// source when the two compare equal or either is NaN, so max(lo, v) in
// that order keeps −0 and NaN in v exactly like (v < lo ? lo : v), and
// likewise min(hi, m) is (hi < m ? hi : m). Go assembly lists sources
// right to left: VMAXPS Yv, Ylo, Yd is Intel's vmaxps yd, ylo, yv.

// BINCLAMP is the body of addClampF32x8 and subClampF32x8: dst = clamp(x
// OP y), 8 lanes a step.
#define BINCLAMP(OP, loop) \
	MOVQ         dst+0(FP), DI  \
	MOVQ         x+8(FP), SI    \
	MOVQ         y+16(FP), DX   \
	MOVQ         blocks+24(FP), CX \
	VBROADCASTSS lo+32(FP), Y14 \
	VBROADCASTSS hi+36(FP), Y15 \
loop:                               \
	VMOVUPS (SI), Y0            \
	OP      (DX), Y0, Y0        \
	VMAXPS  Y0, Y14, Y0         \
	VMINPS  Y0, Y15, Y0         \
	VMOVUPS Y0, (DI)            \
	ADDQ    $32, SI             \
	ADDQ    $32, DX             \
	ADDQ    $32, DI             \
	DECQ    CX                  \
	JNZ     loop                \
	VZEROUPPER                  \
	RET

// func addClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)
TEXT ·addClampF32x8(SB), NOSPLIT, $0-40
	BINCLAMP(VADDPS, addloop)

// func subClampF32x8(dst, x, y *float32, blocks int, lo, hi float32)
TEXT ·subClampF32x8(SB), NOSPLIT, $0-40
	BINCLAMP(VSUBPS, subloop)

// func clampF32x8(dst, x *float32, blocks int, lo, hi float32)
TEXT ·clampF32x8(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         blocks+16(FP), CX
	VBROADCASTSS lo+24(FP), Y14
	VBROADCASTSS hi+28(FP), Y15

clamploop:
	VMOVUPS (SI), Y0
	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     clamploop
	VZEROUPPER
	RET

// maxInto: dst = std::max(dst, src) = (dst < src ? src : dst). VMAXPS
// returns its second source on ties and NaNs, so src goes first:
// VMAXPS Yd, Ys, Yr is Intel's vmaxps yr, ys, yd.

// func maxIntoF32x8(dst, src *float32, blocks int)
TEXT ·maxIntoF32x8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX

maxfloop:
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMAXPS  Y0, Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     maxfloop
	VZEROUPPER
	RET

// func maxIntoI8x32(dst, src *int8, blocks int)
TEXT ·maxIntoI8x32(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX

maxbloop:
	VMOVDQU (DI), Y0
	VPMAXSB (SI), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     maxbloop
	VZEROUPPER
	RET

// func maxIntoU8x32(dst, src *uint8, blocks int)
TEXT ·maxIntoU8x32(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX

maxuloop:
	VMOVDQU (DI), Y0
	VPMAXUB (SI), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     maxuloop
	VZEROUPPER
	RET

// func storeTileF32(out *float32, ldo uintptr, acc *float32, rows int, bias *float32, lo, hi float32)
// Row r of a float GEMM tile: out[r·ldo:][0:16] = clamp(acc[16r:][0:16] +
// bias), the clamp as in addClampF32x8.
TEXT ·storeTileF32(SB), NOSPLIT, $0-48
	MOVQ         out+0(FP), DI
	MOVQ         ldo+8(FP), DX
	MOVQ         acc+16(FP), SI
	MOVQ         rows+24(FP), CX
	MOVQ         bias+32(FP), BX
	VBROADCASTSS lo+40(FP), Y14
	VBROADCASTSS hi+44(FP), Y15
	VMOVUPS      (BX), Y12
	VMOVUPS      32(BX), Y13

tileloop:
	VADDPS  (SI), Y12, Y0
	VADDPS  32(SI), Y13, Y1
	VMAXPS  Y0, Y14, Y0
	VMAXPS  Y1, Y14, Y1
	VMINPS  Y0, Y15, Y0
	VMINPS  Y1, Y15, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     tileloop
	VZEROUPPER
	RET

// func storeTileF32x8(out *float32, ldo uintptr, acc *float32, rows int, bias *float32, lo, hi float32)
// storeTileF32 for the first 8 channels of each row only (a last block
// with 8 to 15 live channels; the caller stores the rest).
TEXT ·storeTileF32x8(SB), NOSPLIT, $0-48
	MOVQ         out+0(FP), DI
	MOVQ         ldo+8(FP), DX
	MOVQ         acc+16(FP), SI
	MOVQ         rows+24(FP), CX
	MOVQ         bias+32(FP), BX
	VBROADCASTSS lo+40(FP), Y14
	VBROADCASTSS hi+44(FP), Y15
	VMOVUPS      (BX), Y12

tile8loop:
	VADDPS  (SI), Y12, Y0
	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $64, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     tile8loop
	VZEROUPPER
	RET
