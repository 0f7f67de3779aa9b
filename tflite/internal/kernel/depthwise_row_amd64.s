#include "textflag.h"
#include "depthwise_amd64.h"
#include "requant_amd64.h"

// Depthwise 3×3 row kernels: every interior output pixel of one output
// row, channel block by channel block, summed, requantized and packed in
// registers and stored straight to the output row (no int32 scratch).
//
// For a block of 16 channels the VPMADDWD pair sums (DWPAIR) come out
// with channels 0-3 and 8-11 in Y4 and 4-7 and 12-15 in Y5. The block's
// rqBlock is laid out in that lane order (newDWRowBlocks), with the bias
// + inputOffset·Σw in its bias lanes, so the sums start from the bias,
// requantize in place, and VPACKSSDW Y5, Y4 puts channels 0-7 in the low
// and 8-15 in the high 128 bits: channel order again without a permute.
//
// Per block the pixels step sx bytes in the input (strideW·C) and ldo in
// the output (C); taps lie dx (dilationW·C) and dy (dilationH·inW·C)
// bytes apart. Loads read exactly the block's channels, so the last
// pixel never reads past its taps.
//
// Registers: SI, R8, R9 the pixel's three tap rows; DX dx; BX the
// block's weights; R13 its rqBlock; DI the output pixel; CX pixels left;
// R10 sx; R12 ldo; AX and R14 the block's first input and output pixel;
// R11 blocks left. Y11 zero, Y14 outOff, Y15 the nudge, X13/X12 actMin
// and actMax bytes.

// func dwRow3x3Int8(in *int8, dx, dy, sx uintptr, w *int16, blk *rqBlock, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts)
// func dwRow3x3Uint8(in *uint8, dx, dy, sx uintptr, w *int16, blk *rqBlock, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts)
// func dwRow3x3HalfInt8(in *int8, dx, dy, sx uintptr, w *int16, blk *rqBlock, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts)
// func dwRow3x3HalfUint8(in *uint8, dx, dy, sx uintptr, w *int16, blk *rqBlock, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts)

// ROWSETUP loads the arguments and the requantization constants and
// leaves noLeft in R11.
#define ROWSETUP \
	MOVQ         c+80(FP), AX         \
	MOVQ         $0x40000000, R11     \
	VMOVQ        R11, X15             \
	VPBROADCASTQ X15, Y15             \
	VPBROADCASTD 0(AX), Y14           \
	VPBROADCASTB 4(AX), X13           \
	VPBROADCASTB 8(AX), X12           \
	VPXOR        Y11, Y11, Y11        \
	MOVL         16(AX), R11          \
	MOVQ         in+0(FP), AX         \
	MOVQ         dx+8(FP), DX         \
	MOVQ         sx+24(FP), R10       \
	MOVQ         w+32(FP), BX         \
	MOVQ         blk+40(FP), R13      \
	MOVQ         out+48(FP), R14      \
	MOVQ         ldo+56(FP), R12

// BLOCKSTART points the tap rows and the output at the block's first
// pixel and counts its pixels.
#define BLOCKSTART \
	MOVQ dy+16(FP), CX     \
	MOVQ AX, SI            \
	LEAQ (SI)(CX*1), R8    \
	LEAQ (R8)(CX*1), R9    \
	MOVQ R14, DI           \
	MOVQ pixels+64(FP), CX

// NEXTPIXEL steps to the next pixel of the block.
#define NEXTPIXEL \
	ADDQ R10, SI \
	ADDQ R10, R8 \
	ADDQ R10, R9 \
	ADDQ R12, DI

// ROW16 runs blocks of 16 channels; LBLOCK and LPIXEL name its loops.
// The saturating packs keep every value's side of the 8-bit range, so
// the clamp can run on 16 bytes at once after them, equal to clamping
// each int32 first as TFLite does (the activation range lies within the
// type's).
#define ROW16(EXT, SHIFT, PACK, MAX, MIN, LBLOCK, LPIXEL) \
	MOVQ blocks+72(FP), R11                       \
LBLOCK:                                           \
	BLOCKSTART                                    \
LPIXEL:                                           \
	VMOVDQU      0(R13), Y4                       \
	VMOVDQU      32(R13), Y5                      \
	DWPAIR((SI), (SI)(DX*1), 0, EXT)              \
	DWPAIR((SI)(DX*2), (R8), 64, EXT)             \
	DWPAIR((R8)(DX*1), (R8)(DX*2), 128, EXT)      \
	DWPAIR((R9), (R9)(DX*1), 192, EXT)            \
	DWLAST((R9)(DX*2), 256, EXT)                  \
	RQ16(Y4, Y0, Y1, Y2, 0, Y5, Y6, Y7, Y8, 32, R13, SHIFT) \
	VPACKSSDW    Y5, Y4, Y4                       \
	VEXTRACTI128 $1, Y4, X5                       \
	PACK         X5, X4, X4                       \
	MAX          X13, X4, X4                      \
	MIN          X12, X4, X4                      \
	VMOVDQU      X4, (DI)                         \
	NEXTPIXEL                                     \
	DECQ         CX                               \
	JNZ          LPIXEL                           \
	ADDQ         $16, AX                          \
	ADDQ         $16, R14                         \
	ADDQ         $320, BX                         \
	ADDQ         $RQBLOCKSIZE, R13                        \
	DECQ         R11                              \
	JNZ          LBLOCK

// ROW8 runs blocks of 8 channels at half width; their rqBlocks use lanes
// 0-7 in channel order and their weights are 160 bytes (5 pairs × lo, hi
// × 8 int16). The lo and hi sums are joined into one ymm (channels 0-7)
// for the requantization.
#define ROW8(EXT, SHIFT, PACK, MAX, MIN, LBLOCK, LPIXEL) \
	MOVQ blocks+72(FP), R11                       \
LBLOCK:                                           \
	BLOCKSTART                                    \
LPIXEL:                                           \
	VMOVDQU      0(R13), X4                       \
	VMOVDQU      16(R13), X5                      \
	DWPAIRX((SI), (SI)(DX*1), 0, EXT)             \
	DWPAIRX((SI)(DX*2), (R8), 32, EXT)            \
	DWPAIRX((R8)(DX*1), (R8)(DX*2), 64, EXT)      \
	DWPAIRX((R9), (R9)(DX*1), 96, EXT)            \
	DWLASTX((R9)(DX*2), 128, EXT)                 \
	VINSERTI128  $1, X5, Y4, Y4                   \
	RQ8(Y4, Y0, Y1, Y2, R13, 0, SHIFT)            \
	VEXTRACTI128 $1, Y4, X5                       \
	VPACKSSDW    X5, X4, X4                       \
	PACK         X4, X4, X4                       \
	MAX          X13, X4, X4                      \
	MIN          X12, X4, X4                      \
	VMOVQ        X4, (DI)                         \
	NEXTPIXEL                                     \
	DECQ         CX                               \
	JNZ          LPIXEL                           \
	ADDQ         $8, AX                           \
	ADDQ         $8, R14                          \
	ADDQ         $160, BX                         \
	ADDQ         $RQBLOCKSIZE, R13                        \
	DECQ         R11                              \
	JNZ          LBLOCK

// ROWENTRY is one entry point's body: the loop without the left shift
// when no channel needs it (noLeft), else the one with it. pixels and
// blocks must be ≥ 1.
#define ROWENTRY(ROW, EXT, PACK, MAX, MIN) \
	ROWSETUP                                                \
	TESTL R11, R11                                          \
	JZ    left                                              \
	ROW(EXT, RQNOLEFT, PACK, MAX, MIN, nlblock, nlpixel)    \
	VZEROUPPER                                              \
	RET                                                     \
left:                                                       \
	ROW(EXT, RQLEFT, PACK, MAX, MIN, lblock, lpixel)        \
	VZEROUPPER                                              \
	RET

TEXT ·dwRow3x3Int8(SB), NOSPLIT, $0-88
	ROWENTRY(ROW16, VPMOVSXBW, VPACKSSWB, VPMAXSB, VPMINSB)

TEXT ·dwRow3x3Uint8(SB), NOSPLIT, $0-88
	ROWENTRY(ROW16, VPMOVZXBW, VPACKUSWB, VPMAXUB, VPMINUB)

TEXT ·dwRow3x3HalfInt8(SB), NOSPLIT, $0-88
	ROWENTRY(ROW8, VPMOVSXBW, VPACKSSWB, VPMAXSB, VPMINSB)

TEXT ·dwRow3x3HalfUint8(SB), NOSPLIT, $0-88
	ROWENTRY(ROW8, VPMOVZXBW, VPACKUSWB, VPMAXUB, VPMINUB)
