#include "textflag.h"

// MEAN's sums over the reduced rows (mean_simd.go): for each block b of
// 16 channels, sum[16b:16b+16] += Σ_r x[r·stride + 16b : +16], r < rows.
// The bytes add up in 16-bit lanes, exactly: the caller passes at most
// 128 rows, and 128·255 < 2^15. The words then widen to int32 and add
// into the sums.
//
// Four blocks at a time (64 channels, one cache line per row) the bytes
// widen with in-lane unpacks against zero, as unsigned values: uint8 as
// they are, int8 with the top bit flipped (x + 128, taken back out as
// 128·rows per sum at the end). A 32-byte load L gives words of bytes
// 0-7|16-23 (VPUNPCKLBW) and 8-15|24-31 (VPUNPCKHBW); widening those to
// dwords gives 0-3|16-19, 4-7|20-23, 8-11|24-27, 12-15|28-31, and
// VPERM2I128 pairs the halves back into element order. Leftover single
// blocks use VPMOVSXBW or VPMOVZXBW, which keep element order.
//
// Registers: DI sum, SI the block's first byte, DX rows, R8 stride, CX
// blocks left, AX the current row, BX rows left, Y15 zero, Y14 the 0x80
// bytes, Y13 128·rows in every dword (int8).

DATA meantopbit<>+0(SB)/8, $0x8080808080808080
DATA meantopbit<>+8(SB)/8, $0x8080808080808080
DATA meantopbit<>+16(SB)/8, $0x8080808080808080
DATA meantopbit<>+24(SB)/8, $0x8080808080808080
GLOBL meantopbit<>(SB), RODATA|NOPTR, $32

// FLIP makes int8 bytes in R unsigned (x + 128); NOFLIP leaves uint8.
#define FLIP(R) VPXOR Y14, R, R
#define NOFLIP(R)

// UNFLIP takes the flips' 128·rows back out of the dword sums in R;
// NOUNFLIP is for uint8.
#define UNFLIP(R) VPSUBD Y13, R, R
#define NOUNFLIP(R)

// ADD32 adds 32 channels' words, in unpack order (LO: 0-7|16-23, HI:
// 8-15|24-31), into sum at off(DI) and off+32(DI), off+64(DI), off+96(DI).
#define ADD32(LO, HI, off, UNFLIPR) \
	VPUNPCKLWD   Y15, LO, Y4             \
	VPUNPCKHWD   Y15, LO, Y5             \
	VPUNPCKLWD   Y15, HI, Y6             \
	VPUNPCKHWD   Y15, HI, Y7             \
	VPERM2I128   $0x20, Y5, Y4, Y8       \
	VPERM2I128   $0x20, Y7, Y6, Y9       \
	VPERM2I128   $0x31, Y5, Y4, Y10      \
	VPERM2I128   $0x31, Y7, Y6, Y11      \
	UNFLIPR(Y8)                          \
	UNFLIPR(Y9)                          \
	UNFLIPR(Y10)                         \
	UNFLIPR(Y11)                         \
	VPADDD       off(DI), Y8, Y8         \
	VPADDD       off+32(DI), Y9, Y9      \
	VPADDD       off+64(DI), Y10, Y10    \
	VPADDD       off+96(DI), Y11, Y11    \
	VMOVDQU      Y8, off(DI)             \
	VMOVDQU      Y9, off+32(DI)          \
	VMOVDQU      Y10, off+64(DI)         \
	VMOVDQU      Y11, off+96(DI)

// SUMS is the body of meanSumInt8 and meanSumUint8.
#define SUMS(MOVX, FLIPR, UNFLIPR) \
	MOVQ         sum+0(FP), DI           \
	MOVQ         x+8(FP), SI             \
	MOVQ         rows+16(FP), DX         \
	MOVQ         stride+24(FP), R8       \
	MOVQ         blocks+32(FP), CX       \
	VPXOR        Y15, Y15, Y15           \
	VMOVDQU      meantopbit<>(SB), Y14   \
	MOVQ         DX, AX                  \
	SHLQ         $7, AX                  \
	VMOVQ        AX, X13                 \
	VPBROADCASTD X13, Y13                \
	CMPQ         CX, $4                  \
	JLT          single                  \
line:                                        \
	VPXOR        Y0, Y0, Y0              \
	VPXOR        Y1, Y1, Y1              \
	VPXOR        Y2, Y2, Y2              \
	VPXOR        Y3, Y3, Y3              \
	MOVQ         SI, AX                  \
	MOVQ         DX, BX                  \
linerow:                                     \
	VMOVDQU      (AX), Y4                \
	VMOVDQU      32(AX), Y5              \
	FLIPR(Y4)                            \
	FLIPR(Y5)                            \
	VPUNPCKLBW   Y15, Y4, Y6             \
	VPUNPCKHBW   Y15, Y4, Y7             \
	VPUNPCKLBW   Y15, Y5, Y8             \
	VPUNPCKHBW   Y15, Y5, Y9             \
	VPADDW       Y6, Y0, Y0              \
	VPADDW       Y7, Y1, Y1              \
	VPADDW       Y8, Y2, Y2              \
	VPADDW       Y9, Y3, Y3              \
	ADDQ         R8, AX                  \
	DECQ         BX                      \
	JNZ          linerow                 \
	ADD32(Y0, Y1, 0, UNFLIPR)            \
	ADD32(Y2, Y3, 128, UNFLIPR)          \
	ADDQ         $64, SI                 \
	ADDQ         $256, DI                \
	SUBQ         $4, CX                  \
	CMPQ         CX, $4                  \
	JGE          line                    \
single:                                      \
	TESTQ        CX, CX                  \
	JZ           done                    \
block:                                       \
	VPXOR        Y0, Y0, Y0              \
	MOVQ         SI, AX                  \
	MOVQ         DX, BX                  \
row:                                         \
	MOVX         (AX), Y1                \
	VPADDW       Y1, Y0, Y0              \
	ADDQ         R8, AX                  \
	DECQ         BX                      \
	JNZ          row                     \
	VPMOVSXWD    X0, Y1                  \
	VEXTRACTI128 $1, Y0, X0              \
	VPMOVSXWD    X0, Y2                  \
	VPADDD       (DI), Y1, Y1            \
	VPADDD       32(DI), Y2, Y2          \
	VMOVDQU      Y1, (DI)                \
	VMOVDQU      Y2, 32(DI)              \
	ADDQ         $16, SI                 \
	ADDQ         $64, DI                 \
	DECQ         CX                      \
	JNZ          block                   \
done:                                        \
	VZEROUPPER                           \
	RET

// func meanSumInt8(sum *int32, x *int8, rows int, stride uintptr, blocks int)
TEXT ·meanSumInt8(SB), NOSPLIT, $0-40
	SUMS(VPMOVSXBW, FLIP, UNFLIP)

// func meanSumUint8(sum *int32, x *uint8, rows int, stride uintptr, blocks int)
TEXT ·meanSumUint8(SB), NOSPLIT, $0-40
	SUMS(VPMOVZXBW, NOFLIP, NOUNFLIP)
