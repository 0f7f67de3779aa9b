#include "textflag.h"
#include "requant_amd64.h"

// Depthwise 3×3 row kernels: the pixels of one output row (read in place
// or from a zero-point patch, see depthwise_row.go), channel block by
// channel block, summed, requantized and packed in registers and stored
// straight to the output row (no int32 scratch).
//
// Taps are paired (0,1) (2,3) (4,5) (6,7) (8,–): interleaving two taps'
// int16 inputs lets one VPMADDWD add both products per channel, exactly
// (|x·w| ≤ 255·255, two per lane). The work runs in 128-bit quarters:
// Zen 1 widens 8 bytes into an xmm twice per cycle but 16 into a ymm
// (lane-crossing) only every other cycle. For a block of 16 channels the
// quarters are joined so that channels 0-3 and 8-11 lie in one ymm and
// 4-7 and 12-15 in the other, the lane order of packDepthwise3x3's
// weights. The block's requantization parameters are laid out in that
// order too (depthwise_row_blocks.go), with the bias + inputOffset·Σw in
// their bias lanes, so the sums start from the bias, requantize in
// place, and VPACKSSDW puts channels 0-7 in the low and 8-15 in the high
// 128 bits: channel order again without a permute. The saturating packs
// keep every value's side of the 8-bit range, so the clamp runs on 16
// bytes at once after them, equal to clamping each int32 first as TFLite
// does (the activation range lies within the type's).
//
// blk points at rqShortBlocks when fast is 1 (RQX16, the short
// requantization), else at rqBlocks (RQ16, with or without the left
// shift as c.noLeft says); both are RQBLOCKSIZE bytes.
//
// Per block the pixels step sx bytes in the input (strideW·C) and ldo in
// the output (C); taps lie dx (dilationW·C) and dy bytes apart. Loads
// read exactly the block's channels, so the last pixel never reads past
// its taps.
//
// Registers: SI, R8, R9 the pixel's three tap rows; DX dx; BX the
// block's weights; R13 its requantization block; DI the output pixel; CX
// pixels left; R10 sx; R12 ldo; AX and R14 the block's first input and
// output pixel; R11 blocks left. X0-X2 are the tap steps' temporaries.

// func dwRow3x3Int8(in *int8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)
// func dwRow3x3Uint8(in *uint8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)
// func dwRow3x3HalfInt8(in *int8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)
// func dwRow3x3HalfUint8(in *uint8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)

// ROWSETUP loads the arguments and the requantization constants: X13
// and X12 the actMin and actMax bytes, and for RQ8/RQ16 Y11 zero, Y14
// outOff and Y15 the nudge; it leaves noLeft in R11.
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

// BLOCKNEXT steps to the next block (WSTEP bytes of weights, CSTEP
// channels) and loops to LBLOCK while blocks remain.
#define BLOCKNEXT(CSTEP, WSTEP, LBLOCK) \
	ADDQ $CSTEP, AX  \
	ADDQ $CSTEP, R14 \
	ADDQ $WSTEP, BX  \
	ADDQ $RQBLOCKSIZE, R13   \
	DECQ R11         \
	JNZ  LBLOCK

// QSTART starts a 16-channel pixel's quarter sums from the block's bias
// lanes (lanes 0-3, 8-11, 4-7, 12-15 are channels 0-3, 4-7, 8-11, 12-15).
#define QSTART(Q0, Q1, Q2, Q3) \
	VMOVDQU 0(R13), Q0  \
	VMOVDQU 32(R13), Q1 \
	VMOVDQU 16(R13), Q2 \
	VMOVDQU 48(R13), Q3

// QPAIR adds taps XA and XB (XA8 and XB8 their channels 8-15) times the
// pair's weights at OFF(BX) into the quarters: channels 0-3 into Q0, 4-7
// Q1, 8-11 Q2, 12-15 Q3. The weights' lo half holds channels 0-3 then
// 8-11, their hi half 4-7 then 12-15.
#define QPAIR(XA, XA8, XB, XB8, OFF, EXT, Q0, Q1, Q2, Q3) \
	EXT        XA, X0               \
	EXT        XB, X1               \
	VPUNPCKLWD X1, X0, X2           \
	VPUNPCKHWD X1, X0, X0           \
	VPMADDWD   OFF(BX), X2, X2      \
	VPMADDWD   OFF+32(BX), X0, X0   \
	VPADDD     X2, Q0, Q0           \
	VPADDD     X0, Q1, Q1           \
	EXT        XA8, X0              \
	EXT        XB8, X1              \
	VPUNPCKLWD X1, X0, X2           \
	VPUNPCKHWD X1, X0, X0           \
	VPMADDWD   OFF+16(BX), X2, X2   \
	VPMADDWD   OFF+48(BX), X0, X0   \
	VPADDD     X2, Q2, Q2           \
	VPADDD     X0, Q3, Q3

// QLAST is QPAIR for the lone tap 8: its pair's second weight is 0, so
// the input interleaved with itself serves.
#define QLAST(XA, XA8, OFF, EXT, Q0, Q1, Q2, Q3) \
	EXT        XA, X0               \
	VPUNPCKLWD X0, X0, X2           \
	VPUNPCKHWD X0, X0, X0           \
	VPMADDWD   OFF(BX), X2, X2      \
	VPMADDWD   OFF+32(BX), X0, X0   \
	VPADDD     X2, Q0, Q0           \
	VPADDD     X0, Q1, Q1           \
	EXT        XA8, X0              \
	VPUNPCKLWD X0, X0, X2           \
	VPUNPCKHWD X0, X0, X0           \
	VPMADDWD   OFF+16(BX), X2, X2   \
	VPMADDWD   OFF+48(BX), X0, X0   \
	VPADDD     X2, Q2, Q2           \
	VPADDD     X0, Q3, Q3

// QEND joins the quarters into YQ0 (channels 0-3, 8-11) and YQ1 (4-7,
// 12-15) and steps the taps to the next pixel.
#define QEND(Q2, Q3, YQ0, YQ1) \
	VINSERTI128 $1, Q2, YQ0, YQ0 \
	VINSERTI128 $1, Q3, YQ1, YQ1 \
	ADDQ        R10, SI          \
	ADDQ        R10, R8          \
	ADDQ        R10, R9

// QACC sums one 16-channel pixel into Q0-Q3, leaving it in YQ0/YQ1.
#define QACC(EXT, Q0, Q1, Q2, Q3, YQ0, YQ1) \
	QSTART(Q0, Q1, Q2, Q3)                                                   \
	QPAIR((SI), 8(SI), (SI)(DX*1), 8(SI)(DX*1), 0, EXT, Q0, Q1, Q2, Q3)      \
	QPAIR((SI)(DX*2), 8(SI)(DX*2), (R8), 8(R8), 64, EXT, Q0, Q1, Q2, Q3)     \
	QPAIR((R8)(DX*1), 8(R8)(DX*1), (R8)(DX*2), 8(R8)(DX*2), 128, EXT, Q0, Q1, Q2, Q3) \
	QPAIR((R9), 8(R9), (R9)(DX*1), 8(R9)(DX*1), 192, EXT, Q0, Q1, Q2, Q3)    \
	QLAST((R9)(DX*2), 8(R9)(DX*2), 256, EXT, Q0, Q1, Q2, Q3)                 \
	QEND(Q2, Q3, YQ0, YQ1)

// QSTORE packs a requantized 16-channel pixel (YA = lanes 0-7, YB =
// 8-15), clamps it to [XMIN, XMAX] and stores it at (DI), then steps DI
// to the next pixel.
#define QSTORE(YA, YB, XA, XB, PACK, MAX, MIN, XMIN, XMAX) \
	VPACKSSDW    YB, YA, YA   \
	VEXTRACTI128 $1, YA, XB   \
	PACK         XB, XA, XA   \
	MAX          XMIN, XA, XA \
	MIN          XMAX, XA, XA \
	VMOVDQU      XA, (DI)     \
	ADDQ         R12, DI

// ROW16 runs blocks of 16 channels one pixel after the other,
// requantizing with REQ (RQ16 on Y4/Y5); LBLOCK and LPIXEL name its
// loops.
#define ROW16(EXT, REQ, PACK, MAX, MIN, LBLOCK, LPIXEL) \
	MOVQ blocks+72(FP), R11                  \
LBLOCK:                                      \
	BLOCKSTART                               \
LPIXEL:                                      \
	QACC(EXT, X4, X5, X6, X7, Y4, Y5)        \
	REQ                                      \
	QSTORE(Y4, Y5, X4, X5, PACK, MAX, MIN, X13, X12) \
	DECQ CX                                  \
	JNZ  LPIXEL                              \
	BLOCKNEXT(16, 320, LBLOCK)

// The fast 16-channel loop is software-pipelined: pixel i+1's sums
// accumulate while pixel i is requantized and stored, their instructions
// interleaved, because Zen 1's FP scheduler is too small to find that
// overlap on its own across a pixel's hundred-odd instructions (the two
// phases otherwise cost the sum of their times). Two register sets
// alternate: S0 sums in quarters X4-X7, S1 in X8-X11 (joined into Y4/Y5
// and Y8/Y9 by QEND); the requantization uses Y3, Y12 and the other
// set's freed quarters. RQX16 needs none of RQ16's constant registers,
// so the clamp bytes move to X14/X15.

// QACCRQ sums the next pixel into Q0-Q3 while requantizing (temporaries
// EA, OA, EB, OB) and storing the previous one from YA/YB.
#define QACCRQ(EXT, Q0, Q1, Q2, Q3, YQ0, YQ1, YA, YB, XA, XB, EA, OA, EB, OB, PACK, MAX, MIN) \
	QSTART(Q0, Q1, Q2, Q3)                                                   \
	QPAIR((SI), 8(SI), (SI)(DX*1), 8(SI)(DX*1), 0, EXT, Q0, Q1, Q2, Q3)      \
	RQX16A(YA, EA, OA, YB, EB, OB, R13)                                      \
	QPAIR((SI)(DX*2), 8(SI)(DX*2), (R8), 8(R8), 64, EXT, Q0, Q1, Q2, Q3)     \
	RQX16B(YA, EA, OA, YB, EB, OB, R13)                                      \
	QPAIR((R8)(DX*1), 8(R8)(DX*1), (R8)(DX*2), 8(R8)(DX*2), 128, EXT, Q0, Q1, Q2, Q3) \
	RQX16C(YA, EA, OA, YB, EB, OB, R13)                                      \
	QPAIR((R9), 8(R9), (R9)(DX*1), 8(R9)(DX*1), 192, EXT, Q0, Q1, Q2, Q3)    \
	RQX16D(YA, EA, OA, YB, EB, OB, R13)                                      \
	QLAST((R9)(DX*2), 8(R9)(DX*2), 256, EXT, Q0, Q1, Q2, Q3)                 \
	RQX16E(YA, EA, OA, YB, EB, OB, R13)                                      \
	QSTORE(YA, YB, XA, XB, PACK, MAX, MIN, X14, X15)                         \
	QEND(Q2, Q3, YQ0, YQ1)

// The two register sets' steps.
#define S0RQ(PACK, MAX, MIN) \
	RQX16(Y4, Y3, Y6, Y5, Y7, Y12, R13) \
	QSTORE(Y4, Y5, X4, X5, PACK, MAX, MIN, X14, X15)
#define S1RQ(PACK, MAX, MIN) \
	RQX16(Y8, Y3, Y10, Y9, Y11, Y12, R13) \
	QSTORE(Y8, Y9, X8, X9, PACK, MAX, MIN, X14, X15)
#define S1ACCS0RQ(EXT, PACK, MAX, MIN) \
	QACCRQ(EXT, X8, X9, X10, X11, Y8, Y9, Y4, Y5, X4, X5, Y3, Y6, Y7, Y12, PACK, MAX, MIN)
#define S0ACCS1RQ(EXT, PACK, MAX, MIN) \
	QACCRQ(EXT, X4, X5, X6, X7, Y4, Y5, Y8, Y9, X8, X9, Y3, Y10, Y11, Y12, PACK, MAX, MIN)

// ROW16P is the pipelined fast loop over blocks of 16 channels.
#define ROW16P(EXT, PACK, MAX, MIN, LBLOCK, LPAIR, LLAST0, LLAST1, LNEXT) \
	VMOVDQA X13, X14                         \
	VMOVDQA X12, X15                         \
	MOVQ blocks+72(FP), R11                  \
LBLOCK:                                      \
	BLOCKSTART                               \
	QACC(EXT, X4, X5, X6, X7, Y4, Y5)        \
	DECQ CX                                  \
	JZ   LLAST0                              \
LPAIR:                                       \
	S1ACCS0RQ(EXT, PACK, MAX, MIN)           \
	DECQ CX                                  \
	JZ   LLAST1                              \
	S0ACCS1RQ(EXT, PACK, MAX, MIN)           \
	DECQ CX                                  \
	JNZ  LPAIR                               \
LLAST0:                                      \
	S0RQ(PACK, MAX, MIN)                     \
	JMP  LNEXT                               \
LLAST1:                                      \
	S1RQ(PACK, MAX, MIN)                     \
LNEXT:                                       \
	BLOCKNEXT(16, 320, LBLOCK)

// HPAIR and HLAST are QPAIR and QLAST at half width, for a block of 8
// channels: 8 bytes per tap, channels 0-3 into X4 and 4-7 into X5,
// 16-byte weight halves (lo = channels 0-3, hi = 4-7).
#define HPAIR(XA, XB, OFF, EXT) \
	EXT        XA, X0             \
	EXT        XB, X1             \
	VPUNPCKLWD X1, X0, X2         \
	VPUNPCKHWD X1, X0, X0         \
	VPMADDWD   OFF(BX), X2, X2    \
	VPMADDWD   OFF+16(BX), X0, X0 \
	VPADDD     X2, X4, X4         \
	VPADDD     X0, X5, X5

#define HLAST(XA, OFF, EXT) \
	EXT        XA, X0             \
	VPUNPCKLWD X0, X0, X2         \
	VPUNPCKHWD X0, X0, X0         \
	VPMADDWD   OFF(BX), X2, X2    \
	VPMADDWD   OFF+16(BX), X0, X0 \
	VPADDD     X2, X4, X4         \
	VPADDD     X0, X5, X5

// ROW8 runs blocks of 8 channels at half width, requantizing with REQ;
// their requantization blocks use lanes 0-7 in channel order and their
// weights are 160 bytes (5 pairs × lo, hi × 8 int16). The lo and hi sums
// are joined into Y4 (channels 0-7) for the requantization.
#define ROW8(EXT, REQ, PACK, MAX, MIN, LBLOCK, LPIXEL) \
	MOVQ blocks+72(FP), R11                       \
LBLOCK:                                           \
	BLOCKSTART                                    \
LPIXEL:                                           \
	VMOVDQU      0(R13), X4                       \
	VMOVDQU      16(R13), X5                      \
	HPAIR((SI), (SI)(DX*1), 0, EXT)               \
	HPAIR((SI)(DX*2), (R8), 32, EXT)              \
	HPAIR((R8)(DX*1), (R8)(DX*2), 64, EXT)        \
	HPAIR((R9), (R9)(DX*1), 96, EXT)              \
	HLAST((R9)(DX*2), 128, EXT)                   \
	VINSERTI128  $1, X5, Y4, Y4                   \
	REQ                                           \
	VEXTRACTI128 $1, Y4, X5                       \
	VPACKSSDW    X5, X4, X4                       \
	PACK         X4, X4, X4                       \
	MAX          X13, X4, X4                      \
	MIN          X12, X4, X4                      \
	VMOVQ        X4, (DI)                         \
	ADDQ         R10, SI                          \
	ADDQ         R10, R8                          \
	ADDQ         R10, R9                          \
	ADDQ         R12, DI                          \
	DECQ         CX                               \
	JNZ          LPIXEL                           \
	BLOCKNEXT(8, 160, LBLOCK)

// The requantization steps the loops choose from.
#define REQ16NOLEFT RQ16(Y4, Y0, Y1, Y2, 0, Y5, Y6, Y7, Y8, 32, R13, RQNOLEFT)
#define REQ16LEFT   RQ16(Y4, Y0, Y1, Y2, 0, Y5, Y6, Y7, Y8, 32, R13, RQLEFT)
#define REQ8FAST    RQX8(Y4, Y0, Y1, R13, 0, 0)
#define REQ8NOLEFT  RQ8(Y4, Y0, Y1, Y2, R13, 0, RQNOLEFT)
#define REQ8LEFT    RQ8(Y4, Y0, Y1, Y2, R13, 0, RQLEFT)

// ROWENTRY is one entry point's body: FASTROW (the short
// requantization) when fast is 1, else ROW without the left shift when
// no channel needs it (noLeft), else ROW with it. pixels and blocks must
// be ≥ 1.
#define ROWENTRY(ROW, FASTROW, EXT, PACK, MAX, MIN, NOLEFT, LEFT) \
	ROWSETUP                                                \
	MOVQ  fast+88(FP), CX                                   \
	TESTQ CX, CX                                            \
	JZ    general                                           \
	FASTROW(EXT, PACK, MAX, MIN)                            \
	VZEROUPPER                                              \
	RET                                                     \
general:                                                    \
	TESTL R11, R11                                          \
	JZ    left                                              \
	ROW(EXT, NOLEFT, PACK, MAX, MIN, nlblock, nlpixel)      \
	VZEROUPPER                                              \
	RET                                                     \
left:                                                       \
	ROW(EXT, LEFT, PACK, MAX, MIN, lblock, lpixel)          \
	VZEROUPPER                                              \
	RET

// FAST16 and FAST8 are the fast loops in ROWENTRY's form.
#define FAST16(EXT, PACK, MAX, MIN) ROW16P(EXT, PACK, MAX, MIN, fblock, fpair, flast0, flast1, fnext)
#define FAST8(EXT, PACK, MAX, MIN) ROW8(EXT, REQ8FAST, PACK, MAX, MIN, fblock, fpixel)

TEXT ·dwRow3x3Int8(SB), NOSPLIT, $0-96
	ROWENTRY(ROW16, FAST16, VPMOVSXBW, VPACKSSWB, VPMAXSB, VPMINSB, REQ16NOLEFT, REQ16LEFT)

TEXT ·dwRow3x3Uint8(SB), NOSPLIT, $0-96
	ROWENTRY(ROW16, FAST16, VPMOVZXBW, VPACKUSWB, VPMAXUB, VPMINUB, REQ16NOLEFT, REQ16LEFT)

TEXT ·dwRow3x3HalfInt8(SB), NOSPLIT, $0-96
	ROWENTRY(ROW8, FAST8, VPMOVSXBW, VPACKSSWB, VPMAXSB, VPMINSB, REQ8NOLEFT, REQ8LEFT)

TEXT ·dwRow3x3HalfUint8(SB), NOSPLIT, $0-96
	ROWENTRY(ROW8, FAST8, VPMOVZXBW, VPACKUSWB, VPMAXUB, VPMINUB, REQ8NOLEFT, REQ8LEFT)
