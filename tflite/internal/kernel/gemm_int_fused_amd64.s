#include "textflag.h"
#include "requant_amd64.h"
#include "vnni_amd64.h"
#include "gemm_int_amd64.h"

// Fused GEMM tiles: the 4 rows × 16 channels dot product (DOTSTEP,
// gemm_int_amd64.h) followed, in registers, by the short requantization
// (RQX16, requant_short.go; the output offset is folded in), the pack and
// the clamp, for `tiles` consecutive tiles of 4 rows. Sums never go
// through memory and one call covers a whole block of rows, so the
// requantization of one tile overlaps the products of the next. Only for
// ops the short requantization allows (see gemmIntFused); blk is the
// channel block's rqShortBlock.
//
// Registers: SI, R8, R9, R10 the tile's four A rows; R15 the weights;
// Y0-Y7 the sums (row r in Y2r, Y2r+1); Y8-Y13 temporaries; X14 and X15
// the activation bounds as bytes.

// EPIROW requantizes row sums XA (channels 0-7) and XB (8-15), which
// started from the bias, with the block at R13, packs them to 16 bytes,
// clamps them to X14 (actMin) and X15 (actMax) and stores them at (DI).
// XA's low half ends up holding the bytes.
#define EPIROW(XA, XB, XLO, PACK, MAX, MIN) \
	RQX16(XA, Y8, Y9, XB, Y10, Y12, R13)                \
	VPACKSSDW    XB, XA, XA                             \
	VPERMQ       $0xD8, XA, XA                          \
	VEXTRACTI128 $1, XA, X13                            \
	PACK         X13, XLO, XLO                          \
	MAX          X14, XLO, XLO                          \
	MIN          X15, XLO, XLO                          \
	VMOVDQU      XLO, (DI)                              \
	ADDQ         R14, DI

// ZERO8 and ZERO4 start the sums of a full and a half tile from the
// block's bias (int32 additions wrap, so adding it first or last gives
// the same sums).
#define ZERO8 \
	VMOVDQU 0(R13), Y0  \
	VMOVDQU 32(R13), Y1 \
	VMOVDQA Y0, Y2      \
	VMOVDQA Y1, Y3      \
	VMOVDQA Y0, Y4      \
	VMOVDQA Y1, Y5      \
	VMOVDQA Y0, Y6      \
	VMOVDQA Y1, Y7

#define ZERO4 \
	VMOVDQU 0(R13), Y0 \
	VMOVDQA Y0, Y1     \
	VMOVDQA Y0, Y2     \
	VMOVDQA Y0, Y3

// EPI16 and EPI8 store a full and a half tile's four rows.
#define EPI16(PACK, MAX, MIN) \
	EPIROW(Y0, Y1, X0, PACK, MAX, MIN) \
	EPIROW(Y2, Y3, X2, PACK, MAX, MIN) \
	EPIROW(Y4, Y5, X4, PACK, MAX, MIN) \
	EPIROW(Y6, Y7, X6, PACK, MAX, MIN)

#define EPI8(PACK, MAX, MIN) \
	EPIPAIR(Y0, Y1, X0, PACK, MAX, MIN) \
	EPIPAIR(Y2, Y3, X2, PACK, MAX, MIN)

// DOTREQ is a whole kernel body: ZERO clears the sums, STEP adds one tap
// pair, EPI requantizes and stores the tile.
#define DOTREQ(ZERO, STEP, EPI) \
	MOVQ         a+0(FP), SI           \
	MOVQ         lda+8(FP), DX         \
	MOVQ         kpairs+24(FP), R11    \
	MOVQ         tiles+32(FP), R12     \
	MOVQ         blk+40(FP), R13       \
	MOVQ         out+48(FP), DI        \
	MOVQ         ldo+56(FP), R14       \
	MOVQ         c+64(FP), CX          \
	VPBROADCASTB 4(CX), X14            \
	VPBROADCASTB 8(CX), X15            \
	TESTQ        R12, R12              \
	JZ           done                  \
tile:                                  \
	MOVQ         SI, AX                \
	LEAQ         (SI)(DX*1), R8        \
	LEAQ         (R8)(DX*1), R9        \
	LEAQ         (R9)(DX*1), R10       \
	MOVQ         b+16(FP), R15         \
	MOVQ         R11, BX               \
	ZERO                               \
	TESTQ        BX, BX                \
	JZ           epi                   \
step:                                  \
	STEP                               \
	DECQ         BX                    \
	JNZ          step                  \
epi:                                   \
	EPI                                \
	LEAQ         (AX)(DX*4), SI        \
	DECQ         R12                   \
	JNZ          tile                  \
done:                                  \
	VZEROUPPER                         \
	RET

// func dotReqI8S(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqI8S(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8, DOTSTEP(LOADW8), EPI16(VPACKSSWB, VPMAXSB, VPMINSB))

// func dotReqI8U(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqI8U(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8, DOTSTEP(LOADW8), EPI16(VPACKUSWB, VPMAXUB, VPMINUB))

// func dotReqI16S(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqI16S(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8, DOTSTEP(LOADW16), EPI16(VPACKSSWB, VPMAXSB, VPMINSB))

// func dotReqI16U(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqI16U(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8, DOTSTEP(LOADW16), EPI16(VPACKUSWB, VPMAXUB, VPMINUB))

// The VNNI form for the dot4 layout (gemm_int_vnni_amd64.s): raw int8
// rows, one kquad of four taps per step, 16 channels × 4 taps of int8
// weights (64 bytes) per kquad; Y11 holds 0x80 in every byte to make
// the input unsigned (a + 128; the bias carries the fold). kpairs counts
// kquads here and lda is in bytes. DOT is DPBUSD (AVX512-VNNI) or
// DPBUSDVEX (AVX-VNNI), see vnni_amd64.h.

#define DOTSTEPVNNI(DOT) \
	VMOVDQU (R15), Y8                  \
	VMOVDQU 32(R15), Y9                \
	ADDQ    $64, R15                   \
	VNNIROW(DOT, SI, Y0, Y1, 0, 1)     \
	VNNIROW(DOT, R8, Y2, Y3, 2, 3)     \
	VNNIROW(DOT, R9, Y4, Y5, 4, 5)     \
	VNNIROW(DOT, R10, Y6, Y7, 6, 7)

// ZERO8VNNI is ZERO8 plus the sign bits in Y11 (CX is free once DOTREQ
// has read the clamp bytes).
#define ZERO8VNNI \
	SIGNBITS(CX) \
	ZERO8

// func dotReqVNNI(a *int8, lda uintptr, b *int8, kquads, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqVNNI(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8VNNI, DOTSTEPVNNI(DPBUSD), EPI16(VPACKSSWB, VPMAXSB, VPMINSB))

// func dotReqVNNIVEX(a *int8, lda uintptr, b *int8, kquads, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqVNNIVEX(SB), NOSPLIT, $0-72
	DOTREQ(ZERO8VNNI, DOTSTEPVNNI(DPBUSDVEX), EPI16(VPACKSSWB, VPMAXSB, VPMINSB))

// The same for a last block of exactly 8 channels (DOTSTEPH): rows in
// Y0-Y3, two rows requantized at once, 8 bytes stored per row.

// EPIPAIR requantizes rows XA and XB (channels 0-7 each, started from
// the bias), packs and clamps them as EPIROW and stores 8 bytes of each,
// ldo apart.
#define EPIPAIR(XA, XB, XLO, PACK, MAX, MIN) \
	RQX8(XA, Y8, Y9, R13, 0, 0)                        \
	RQX8(XB, Y10, Y12, R13, 0, 0)                      \
	VPACKSSDW    XB, XA, XA                            \
	VPERMQ       $0xD8, XA, XA                         \
	VEXTRACTI128 $1, XA, X13                           \
	PACK         X13, XLO, XLO                         \
	MAX          X14, XLO, XLO                         \
	MIN          X15, XLO, XLO                         \
	VMOVQ        XLO, (DI)                             \
	ADDQ         R14, DI                               \
	VPEXTRQ      $1, XLO, BX                           \
	MOVQ         BX, (DI)                              \
	ADDQ         R14, DI

// func dotReqHalfI8S(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqHalfI8S(SB), NOSPLIT, $0-72
	DOTREQ(ZERO4, DOTSTEPH(LOADWH8), EPI8(VPACKSSWB, VPMAXSB, VPMINSB))

// func dotReqHalfI8U(a *int16, lda uintptr, b *int8, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqHalfI8U(SB), NOSPLIT, $0-72
	DOTREQ(ZERO4, DOTSTEPH(LOADWH8), EPI8(VPACKUSWB, VPMAXUB, VPMINUB))

// func dotReqHalfI16S(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqHalfI16S(SB), NOSPLIT, $0-72
	DOTREQ(ZERO4, DOTSTEPH(LOADWH16), EPI8(VPACKSSWB, VPMAXSB, VPMINSB))

// func dotReqHalfI16U(a *int16, lda uintptr, b *int16, kpairs, tiles int, blk *rqShortBlock, out *byte, ldo uintptr, c *rqConsts)
TEXT ·dotReqHalfI16U(SB), NOSPLIT, $0-72
	DOTREQ(ZERO4, DOTSTEPH(LOADWH16), EPI8(VPACKUSWB, VPMAXUB, VPMINUB))
