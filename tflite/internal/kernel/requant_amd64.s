#include "textflag.h"
#include "requant_amd64.h"

// requant16 requantizes rows×16 int32 sums to bytes exactly as
// fixedpoint.MultiplyByQuantizedMultiplier + zero point + clamp:
//   x = (acc + bias) << left                       (int32, wrapping)
//   s = (x·multiplier + 2^30) >> 31                (SaturatingRoundingDoublingHighMul;
//                                                   equal to TFLite's nudge-and-truncate form)
//   r = (s >> right) + ((s & mask) > (mask>>1) + (s < 0))   (RoundingDivideByPOT)
//   out = clamp(r + outOff, actMin, actMax)
// Block layout (rqBlock): bias, left, multiplier, right, mask, half,
// multOdd — each [16]int32 at offsets 0, 64, 128, 192, 256, 320, 384.
// Consts (rqConsts): outOff, actMin, actMax, unsigned, noLeft at 0, 4,
// 8, 12, 16.

DATA rqnudge<>+0(SB)/8, $0x40000000
GLOBL rqnudge<>(SB), RODATA|NOPTR, $8

// REQ8 requantizes the 8 sums at (SI)+off with the block's lanes at
// (BX)+off into Y0 as int32 r + outOff, before the clamp (RQ8 in
// requant_amd64.h). Clobbers Y2-Y4.
#define REQ8(off, SHIFT) \
	VMOVDQU     off(SI), Y0          \
	VPADDD      off(BX), Y0, Y0      \
	RQ8(Y0, Y2, Y3, Y4, BX, off, SHIFT)

// ROW requantizes one row of 16 and stores its bytes at (DI). The
// saturating packs keep every value's side of the 8-bit range, so the
// clamp can run on 16 bytes at once after them, equal to clamping each
// int32 first as TFLite does (the activation range lies within the
// type's).
#define ROW(SHIFT, MAX, MIN, PACK) \
	REQ8(0, SHIFT)                    \
	VMOVDQA      Y0, Y6               \
	REQ8(32, SHIFT)                   \
	VPACKSSDW    Y0, Y6, Y6           \
	VPERMQ       $0xD8, Y6, Y6        \
	VEXTRACTI128 $1, Y6, X7           \
	PACK         X7, X6, X6           \
	MAX          X13, X6, X6          \
	MIN          X12, X6, X6          \
	VMOVDQU      X6, (DI)             \
	ADDQ         $64, SI              \
	ADDQ         R9, BX               \
	ADDQ         DX, DI

// Row r uses block blk + r·blkStride bytes: 0 for rows of one channel
// block (GEMM tiles), sizeof(rqBlock) for consecutive blocks of one pixel.

// func requant16(acc *int32, rows int, blk *rqBlock, blkStride uintptr, out *byte, ldo uintptr, c *rqConsts)
TEXT ·requant16(SB), NOSPLIT, $0-56
	MOVQ acc+0(FP), SI
	MOVQ rows+8(FP), CX
	MOVQ blk+16(FP), BX
	MOVQ blkStride+24(FP), R9
	MOVQ out+32(FP), DI
	MOVQ ldo+40(FP), DX
	MOVQ c+48(FP), AX
	VPBROADCASTQ rqnudge<>(SB), Y15
	VPBROADCASTD 0(AX), Y14
	VPBROADCASTB 4(AX), X13
	VPBROADCASTB 8(AX), X12
	VPXOR        Y11, Y11, Y11
	TESTQ CX, CX
	JZ    done
	MOVL  16(AX), R10
	MOVL  12(AX), R8
	TESTL R8, R8
	JNZ   unsigned
	TESTL R10, R10
	JZ    sleft

snoleft:
	ROW(RQNOLEFT, VPMAXSB, VPMINSB, VPACKSSWB)
	DECQ CX
	JNZ  snoleft
	JMP  done

sleft:
	ROW(RQLEFT, VPMAXSB, VPMINSB, VPACKSSWB)
	DECQ CX
	JNZ  sleft
	JMP  done

unsigned:
	TESTL R10, R10
	JZ    uleft

unoleft:
	ROW(RQNOLEFT, VPMAXUB, VPMINUB, VPACKUSWB)
	DECQ CX
	JNZ  unoleft
	JMP  done

uleft:
	ROW(RQLEFT, VPMAXUB, VPMINUB, VPACKUSWB)
	DECQ CX
	JNZ  uleft

done:
	VZEROUPPER
	RET
