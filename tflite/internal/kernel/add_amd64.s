#include "textflag.h"
#include "requant_amd64.h"

// Quantized ADD/SUB, 32 elements a step (see add_simd.go and
// add_estimate.go for why each way is exact). Bytes are read as x', the
// int8 value of the byte, with the top bit flipped first for uint8
// tensors; xe are the exact input's, xr the rounded input's.
//
// EXACT32 follows TFLite's steps:
//   G   = RQX16(xr'·2^20, round block)      = MultiplyByQuantizedMultiplier((xr+offr)·2^20, m, shift)
//   raw = signS·xe'·2^19 + signG·G          (+ signS·(u+offe)·2^19, folded into the out block)
//   out = clamp(RQX16(raw, out block))      = MultiplyByQuantizedMultiplier(raw, outMult, outShift) + outZP
// RQX16 (requant_amd64.h) is SaturatingRoundingDoublingHighMul +
// RoundingDivideByPOT, exact for |input| < 2^30 and right shifts up to
// 21: here |xr'·2^20| < 2^28 and |raw| ≤ 2^28.
//
// ESTIMATE32 computes v = Ae·xe' + Ar·xr' + C as two VPMADDWD on word
// pairs (xe, xr): words x'·256 against Ah and b = x'+128 against Al
// (A = 256·Ah + Al), and out = clamp(v >> s). Its flags are the lanes
// whose fraction v & (2^s − 1) is below the window.
//
// Lane layout: unpacking bytes to words and words to dwords works within
// 128-bit halves, so the four registers of a step hold elements
// 0-3|16-19, 4-7|20-23, 8-11|24-27 and 12-15|28-31; the packs back to
// bytes undo exactly that, leaving the 32 bytes in element order. The
// saturating packs keep every value on its side of the 8-bit range, so
// clamping the bytes after them equals TFLite's clamp of the int32.
//
// Registers: SI xr, DX xe, DI out, CX steps left, BX the addVec, R8 its
// out block, Y15 zero, Y14 the flag window. EXACT32 and ESTIMATE32 use
// Y0-Y11.

#define OUTBLOCK 448
#define ROUNDSHIFT 896
#define OUTSHIFT 904
#define LO 912
#define HI 944
#define SIGNS 976
#define SIGNG 1008
#define ESTHI 1040
#define ESTLO 1072
#define ESTC 1104
#define ESTMASK 1136
#define ESTWINDOW 1168
#define ESTSHIFT 1200

DATA addtopbit<>+0(SB)/8, $0x8080808080808080
DATA addtopbit<>+8(SB)/8, $0x8080808080808080
DATA addtopbit<>+16(SB)/8, $0x8080808080808080
DATA addtopbit<>+24(SB)/8, $0x8080808080808080
GLOBL addtopbit<>(SB), RODATA|NOPTR, $32

// FLIP flips the top bit of the 32 bytes in R (uint8 tensors); NOFLIP
// leaves int8 bytes as they are.
#define FLIP(R) VPXOR addtopbit<>(SB), R, R
#define NOFLIP(R)

// WIDEN loads 32 bytes at M as x' and widens them to x'·2^24 in D0-D3
// (the step's lane layout), via words x'·256 in D1 and D3.
#define WIDEN(M, D0, D1, D2, D3, TOP) \
	VMOVDQU    M, D3                     \
	TOP(D3)                              \
	VPUNPCKLBW D3, Y15, D1               \
	VPUNPCKHBW D3, Y15, D3               \
	VPUNPCKLWD D1, Y15, D0               \
	VPUNPCKHWD D1, Y15, D1               \
	VPUNPCKLWD D3, Y15, D2               \
	VPUNPCKHWD D3, Y15, D3

// RQ32 runs RQX16 on Y0-Y3 with the block at P and the shift count at
// K, the two halves interleaved so that Zen's small FP scheduler finds
// independent work.
#define RQ32(P, K) \
	RQX16A(Y0, Y4, Y5, Y1, Y6, Y7, P)    \
	RQX16A(Y2, Y8, Y9, Y3, Y10, Y11, P)  \
	RQX16B(Y0, Y4, Y5, Y1, Y6, Y7, P)    \
	RQX16B(Y2, Y8, Y9, Y3, Y10, Y11, P)  \
	RQX16C(Y0, Y4, Y5, Y1, Y6, Y7, P)    \
	RQX16C(Y2, Y8, Y9, Y3, Y10, Y11, P)  \
	RQX16D(Y0, Y4, Y5, Y1, Y6, Y7, P)    \
	RQX16D(Y2, Y8, Y9, Y3, Y10, Y11, P)  \
	RQX16EU(Y0, Y4, Y1, Y6, K)           \
	RQX16EU(Y2, Y8, Y3, Y10, K)

// CLAMPS8 and CLAMPU8 clamp the bytes of R to the activation range,
// signed or unsigned; NOCLAMP is for ranges that are the whole type,
// which the saturating packs already keep to.
#define CLAMPS8(R) \
	VPMAXSB    LO(BX), R, R              \
	VPMINSB    HI(BX), R, R
#define CLAMPU8(R) \
	VPMAXUB    LO(BX), R, R              \
	VPMINUB    HI(BX), R, R
#define NOCLAMP(R)

// STORE32 packs the int32 lanes of R0-R3 to bytes, clamps them and
// stores them at (DI)(AX*1).
#define STORE32(R0, R1, R2, R3, PACK, CLAMP) \
	VPACKSSDW  R1, R0, R0                \
	VPACKSSDW  R3, R2, R2                \
	PACK       R2, R0, R0                \
	CLAMP(R0)                            \
	VMOVDQU    R0, (DI)(AX*1)

// EXACT32 computes the step's 32 outputs TFLite's way.
#define EXACT32(TOP, PACK, CLAMP) \
	WIDEN((SI)(AX*1), Y0, Y1, Y2, Y3, TOP)     \
	VPSRAD     $4, Y0, Y0                \
	VPSRAD     $4, Y1, Y1                \
	VPSRAD     $4, Y2, Y2                \
	VPSRAD     $4, Y3, Y3                \
	RQ32(BX, ROUNDSHIFT(BX))             \
	VPSIGND    SIGNG(BX), Y0, Y0         \
	VPSIGND    SIGNG(BX), Y1, Y1         \
	VPSIGND    SIGNG(BX), Y2, Y2         \
	VPSIGND    SIGNG(BX), Y3, Y3         \
	WIDEN((DX)(AX*1), Y4, Y5, Y6, Y7, TOP)     \
	VPSRAD     $5, Y4, Y4                \
	VPSRAD     $5, Y5, Y5                \
	VPSRAD     $5, Y6, Y6                \
	VPSRAD     $5, Y7, Y7                \
	VPSIGND    SIGNS(BX), Y4, Y4         \
	VPSIGND    SIGNS(BX), Y5, Y5         \
	VPSIGND    SIGNS(BX), Y6, Y6         \
	VPSIGND    SIGNS(BX), Y7, Y7         \
	VPADDD     Y4, Y0, Y0                \
	VPADDD     Y5, Y1, Y1                \
	VPADDD     Y6, Y2, Y2                \
	VPADDD     Y7, Y3, Y3                \
	RQ32(R8, OUTSHIFT(BX))               \
	STORE32(Y0, Y1, Y2, Y3, PACK, CLAMP)

// ESTIMATE32 computes the step's estimate into Y4-Y7 (int32 v, lane
// layout as above). SGN and UNS name the registers that receive the
// byte pairs as x' and as b: Y0/Y1 get the pairs as loaded, Y2/Y3 with
// the top bits flipped, and which is which depends on the type.
#define ESTIMATE32(SGNLO, SGNHI, UNSLO, UNSHI) \
	VMOVDQU    (DX)(AX*1), Y1            \
	VPUNPCKLBW (SI)(AX*1), Y1, Y0        \
	VPUNPCKHBW (SI)(AX*1), Y1, Y1        \
	VPXOR      addtopbit<>(SB), Y0, Y2   \
	VPXOR      addtopbit<>(SB), Y1, Y3   \
	VPUNPCKLBW SGNLO, Y15, Y4            \
	VPUNPCKLBW Y15, UNSLO, Y8            \
	VPMADDWD   ESTHI(BX), Y4, Y4         \
	VPMADDWD   ESTLO(BX), Y8, Y8         \
	VPUNPCKHBW SGNLO, Y15, Y5            \
	VPUNPCKHBW Y15, UNSLO, Y9            \
	VPMADDWD   ESTHI(BX), Y5, Y5         \
	VPMADDWD   ESTLO(BX), Y9, Y9         \
	VPUNPCKLBW SGNHI, Y15, Y6            \
	VPUNPCKLBW Y15, UNSHI, Y10           \
	VPMADDWD   ESTHI(BX), Y6, Y6         \
	VPMADDWD   ESTLO(BX), Y10, Y10       \
	VPADDD     Y8, Y4, Y4                \
	VPADDD     ESTC(BX), Y4, Y4          \
	VPUNPCKHBW SGNHI, Y15, Y7            \
	VPUNPCKHBW Y15, UNSHI, Y11           \
	VPMADDWD   ESTHI(BX), Y7, Y7         \
	VPMADDWD   ESTLO(BX), Y11, Y11       \
	VPADDD     Y9, Y5, Y5                \
	VPADDD     ESTC(BX), Y5, Y5          \
	VPADDD     Y10, Y6, Y6               \
	VPADDD     ESTC(BX), Y6, Y6          \
	VPADDD     Y11, Y7, Y7               \
	VPADDD     ESTC(BX), Y7, Y7

// FLAGS32 sets Y8 non-zero when a lane of Y4-Y7 has its fraction in the
// window (Y14).
#define FLAGS32 \
	VPAND      ESTMASK(BX), Y4, Y8       \
	VPAND      ESTMASK(BX), Y5, Y9       \
	VPAND      ESTMASK(BX), Y6, Y10      \
	VPAND      ESTMASK(BX), Y7, Y11      \
	VPCMPGTD   Y8, Y14, Y8               \
	VPCMPGTD   Y9, Y14, Y9               \
	VPCMPGTD   Y10, Y14, Y10             \
	VPCMPGTD   Y11, Y14, Y11             \
	VPOR       Y9, Y8, Y8                \
	VPOR       Y11, Y10, Y10             \
	VPOR       Y10, Y8, Y8

// SHIFT32 turns the estimate in Y4-Y7 into the result, v >> s.
#define SHIFT32 \
	VPSRAD     ESTSHIFT(BX), Y4, Y4      \
	VPSRAD     ESTSHIFT(BX), Y5, Y5      \
	VPSRAD     ESTSHIFT(BX), Y6, Y6      \
	VPSRAD     ESTSHIFT(BX), Y7, Y7

#define NEXT \
	ADDQ       $32, AX                   \
	DECQ       CX

// ESTIMATED32 is one step of the flagged estimate: the estimate stored,
// and the step redone the exact way (at redo, which jumps back to next)
// when a lane is in the flag window.
#define ESTIMATED32(SGNLO, SGNHI, UNSLO, UNSHI, PACK, CLAMP, redo) \
	ESTIMATE32(SGNLO, SGNHI, UNSLO, UNSHI) \
	FLAGS32                              \
	SHIFT32                              \
	STORE32(Y4, Y5, Y6, Y7, PACK, CLAMP)  \
	VPTEST       Y8, Y8                  \
	JNZ          redo

// BODY is a kernel: the arguments into registers, then one loop per
// mode (addVecMode; 4 added when the activation range is the whole
// type, so the packs alone clamp).
#define BODY(TOP, SGNLO, SGNHI, UNSLO, UNSHI, PACK, CLAMP) \
	MOVQ         out+0(FP), DI           \
	MOVQ         xe+8(FP), DX            \
	MOVQ         xr+16(FP), SI           \
	MOVQ         steps+24(FP), CX        \
	MOVQ         p+32(FP), BX            \
	MOVQ         mode+40(FP), R9         \
	XORQ         AX, AX                  \
	LEAQ         OUTBLOCK(BX), R8        \
	VPXOR        Y15, Y15, Y15           \
	VMOVDQU      ESTWINDOW(BX), Y14      \
	CMPQ         R9, $1                  \
	JEQ          estimate                \
	CMPQ         R9, $2                  \
	JEQ          estimated               \
	CMPQ         R9, $5                  \
	JEQ          estimatenc              \
	CMPQ         R9, $6                  \
	JEQ          estimatednc             \
exact:                                       \
	EXACT32(TOP, PACK, CLAMP)             \
	NEXT                                 \
	JNZ          exact                   \
	JMP          done                    \
estimate:                                    \
	ESTIMATE32(SGNLO, SGNHI, UNSLO, UNSHI) \
	SHIFT32                              \
	STORE32(Y4, Y5, Y6, Y7, PACK, CLAMP)  \
	NEXT                                 \
	JNZ          estimate                \
	JMP          done                    \
estimatenc:                                  \
	ESTIMATE32(SGNLO, SGNHI, UNSLO, UNSHI) \
	SHIFT32                              \
	STORE32(Y4, Y5, Y6, Y7, PACK, NOCLAMP) \
	NEXT                                 \
	JNZ          estimatenc              \
	JMP          done                    \
estimated:                                   \
	ESTIMATED32(SGNLO, SGNHI, UNSLO, UNSHI, PACK, CLAMP, redo) \
next:                                        \
	NEXT                                 \
	JNZ          estimated               \
	JMP          done                    \
redo:                                        \
	EXACT32(TOP, PACK, CLAMP)             \
	JMP          next                    \
estimatednc:                                 \
	ESTIMATED32(SGNLO, SGNHI, UNSLO, UNSHI, PACK, NOCLAMP, redonc) \
nextnc:                                      \
	NEXT                                 \
	JNZ          estimatednc             \
	JMP          done                    \
redonc:                                      \
	EXACT32(TOP, PACK, NOCLAMP)           \
	JMP          nextnc                  \
done:                                        \
	VZEROUPPER                           \
	RET

// func addVecInt8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode)
TEXT ·addVecInt8(SB), NOSPLIT, $0-48
	BODY(NOFLIP, Y0, Y1, Y2, Y3, VPACKSSWB, CLAMPS8)

// func addVecUint8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode)
TEXT ·addVecUint8(SB), NOSPLIT, $0-48
	BODY(FLIP, Y2, Y3, Y0, Y1, VPACKUSWB, CLAMPU8)
