#include "textflag.h"

// Depthwise 3×3 interior pixel, 8 channels per step: acc[c] = bias[c] +
// Σ_taps x_tap[c]·w_tap[c] in int32 (wrapping, like TFLite). x is the
// input at the pixel's top-left tap; the taps are x + fy·dy + fx·dx. w is
// [9][C] int32, wstride bytes apart. blocks = C/8. EXT widens 8 input
// bytes to int32: VPMOVSXBD for int8, VPMOVZXBD for uint8.
#define DW3X3(EXT) \
	MOVQ      in+0(FP), SI         \
	MOVQ      dx+8(FP), DX         \
	MOVQ      dy+16(FP), AX        \
	MOVQ      w+24(FP), BX         \
	MOVQ      wstride+32(FP), R10  \
	MOVQ      bias+40(FP), R13     \
	MOVQ      acc+48(FP), DI       \
	MOVQ      blocks+56(FP), CX    \
	LEAQ      (SI)(AX*1), R8       \
	LEAQ      (R8)(AX*1), R9       \
	LEAQ      (BX)(R10*2), R11     \
	ADDQ      R10, R11             \
	LEAQ      (R11)(R10*2), R12    \
	ADDQ      R10, R12             \
	TESTQ     CX, CX               \
	JZ        done                 \
loop:                                  \
	VMOVDQU   (R13), Y0            \
	EXT       (SI), Y1             \
	EXT       (SI)(DX*1), Y2       \
	EXT       (SI)(DX*2), Y3       \
	VPMULLD   (BX), Y1, Y1         \
	VPMULLD   (BX)(R10*1), Y2, Y2  \
	VPMULLD   (BX)(R10*2), Y3, Y3  \
	VPADDD    Y1, Y0, Y0           \
	VPADDD    Y2, Y3, Y3           \
	EXT       (R8), Y4             \
	EXT       (R8)(DX*1), Y5       \
	EXT       (R8)(DX*2), Y6       \
	VPMULLD   (R11), Y4, Y4        \
	VPMULLD   (R11)(R10*1), Y5, Y5 \
	VPMULLD   (R11)(R10*2), Y6, Y6 \
	VPADDD    Y4, Y0, Y0           \
	VPADDD    Y5, Y3, Y3           \
	VPADDD    Y6, Y0, Y0           \
	EXT       (R9), Y7             \
	EXT       (R9)(DX*1), Y8       \
	EXT       (R9)(DX*2), Y9       \
	VPMULLD   (R12), Y7, Y7        \
	VPMULLD   (R12)(R10*1), Y8, Y8 \
	VPMULLD   (R12)(R10*2), Y9, Y9 \
	VPADDD    Y7, Y3, Y3           \
	VPADDD    Y8, Y0, Y0           \
	VPADDD    Y9, Y3, Y3           \
	VPADDD    Y3, Y0, Y0           \
	VMOVDQU   Y0, (DI)             \
	ADDQ      $8, SI               \
	ADDQ      $8, R8               \
	ADDQ      $8, R9               \
	ADDQ      $32, BX              \
	ADDQ      $32, R11             \
	ADDQ      $32, R12             \
	ADDQ      $32, R13             \
	ADDQ      $32, DI              \
	DECQ      CX                   \
	JNZ       loop                 \
done:                                  \
	VZEROUPPER                     \
	RET

// Depthwise tap accumulation, 8 channels per step, for pixels the 3×3
// interior kernel does not take (borders, other filter sizes):
// acc[c] += (x[c] + off)·w[c] in int32. EXT as in DW3X3.
#define DWTAP(EXT) \
	MOVQ         acc+0(FP), DI  \
	MOVQ         x+8(FP), SI    \
	MOVQ         w+16(FP), BX   \
	MOVL         off+24(FP), AX \
	VMOVD        AX, X7         \
	VPBROADCASTD X7, Y7         \
	MOVQ         blocks+32(FP), CX \
	TESTQ        CX, CX         \
	JZ           done           \
loop:                               \
	EXT          (SI), Y1       \
	VPADDD       Y7, Y1, Y1     \
	VPMULLD      (BX), Y1, Y1   \
	VPADDD       (DI), Y1, Y1   \
	VMOVDQU      Y1, (DI)       \
	ADDQ         $8, SI         \
	ADDQ         $32, BX        \
	ADDQ         $32, DI        \
	DECQ         CX             \
	JNZ          loop           \
done:                               \
	VZEROUPPER                  \
	RET

// Depthwise 3×3 interior pixel, 16 channels per step, on VPMADDWD: taps
// are paired (0,1) (2,3) (4,5) (6,7) (8,–); interleaving two taps' int16
// inputs lets one VPMADDWD add both products per channel. Interleaving
// works within 128-bit lanes, so the "lo" half holds channels 0-3 and
// 8-11, the "hi" half 4-7 and 12-15; the weights (packDepthwise3x3) are
// laid out the same way and VPERM2I128 restores channel order at the end.
// Sums are exact: |x·w| ≤ 255·255, two per lane.
// w: per block 320 bytes = 5 pairs × (lo, hi) × 16 int16. EXT widens 16
// input bytes to int16: VPMOVSXBW or VPMOVZXBW.

#define DWPAIR(XA, XB, OFF, EXT) \
	EXT        XA, Y0             \
	EXT        XB, Y1             \
	VPUNPCKLWD Y1, Y0, Y2         \
	VPUNPCKHWD Y1, Y0, Y3         \
	VPMADDWD   OFF(BX), Y2, Y2    \
	VPMADDWD   OFF+32(BX), Y3, Y3 \
	VPADDD     Y2, Y4, Y4         \
	VPADDD     Y3, Y5, Y5

#define DW3X3MADD(EXT) \
	MOVQ       in+0(FP), SI     \
	MOVQ       dx+8(FP), DX     \
	MOVQ       dy+16(FP), AX    \
	MOVQ       w+24(FP), BX     \
	MOVQ       bias+32(FP), R13 \
	MOVQ       acc+40(FP), DI   \
	MOVQ       blocks+48(FP), CX \
	LEAQ       (SI)(AX*1), R8   \
	LEAQ       (R8)(AX*1), R9   \
	TESTQ      CX, CX           \
	JZ         done             \
loop:                               \
	VPXOR      Y4, Y4, Y4       \
	VPXOR      Y5, Y5, Y5       \
	DWPAIR((SI), (SI)(DX*1), 0, EXT) \
	DWPAIR((SI)(DX*2), (R8), 64, EXT) \
	DWPAIR((R8)(DX*1), (R8)(DX*2), 128, EXT) \
	DWPAIR((R9), (R9)(DX*1), 192, EXT) \
	DWPAIR((R9)(DX*2), (R9)(DX*2), 256, EXT) \
	VPERM2I128 $0x20, Y5, Y4, Y6 \
	VPERM2I128 $0x31, Y5, Y4, Y7 \
	VPADDD     (R13), Y6, Y6    \
	VPADDD     32(R13), Y7, Y7  \
	VMOVDQU    Y6, (DI)         \
	VMOVDQU    Y7, 32(DI)       \
	ADDQ       $16, SI          \
	ADDQ       $16, R8          \
	ADDQ       $16, R9          \
	ADDQ       $320, BX         \
	ADDQ       $64, R13         \
	ADDQ       $64, DI          \
	DECQ       CX               \
	JNZ        loop             \
done:                               \
	VZEROUPPER                  \
	RET

// func dw3x3Int8(in *int8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3Int8(SB), NOSPLIT, $0-64
	DW3X3(VPMOVSXBD)

// func dw3x3Uint8(in *uint8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3Uint8(SB), NOSPLIT, $0-64
	DW3X3(VPMOVZXBD)

// func dwTapInt8(acc *int32, x *int8, w *int32, off int32, blocks int)
TEXT ·dwTapInt8(SB), NOSPLIT, $0-40
	DWTAP(VPMOVSXBD)

// func dwTapUint8(acc *int32, x *uint8, w *int32, off int32, blocks int)
TEXT ·dwTapUint8(SB), NOSPLIT, $0-40
	DWTAP(VPMOVZXBD)

// func dw3x3MaddInt8(in *int8, dx, dy uintptr, w *int16, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3MaddInt8(SB), NOSPLIT, $0-56
	DW3X3MADD(VPMOVSXBW)

// func dw3x3MaddUint8(in *uint8, dx, dy uintptr, w *int16, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3MaddUint8(SB), NOSPLIT, $0-56
	DW3X3MADD(VPMOVZXBW)

// Float tap accumulation: acc[c] += x[c]·w[c] with a separate multiply
// and add (no FMA), matching the portable loop bit for bit.

// func dwTapF32(acc *float32, x *float32, w *float32, blocks int)
TEXT ·dwTapF32(SB), NOSPLIT, $0-32
	MOVQ acc+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), BX
	MOVQ blocks+24(FP), CX
	TESTQ CX, CX
	JZ   tapfdone

tapfloop:
	VMOVUPS (SI), Y1
	VMULPS  (BX), Y1, Y1
	VADDPS  (DI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     tapfloop

tapfdone:
	VZEROUPPER
	RET
