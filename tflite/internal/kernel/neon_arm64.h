// NEON instructions the Go arm64 assembler has no mnemonic for, encoded
// with WORD. Arguments are vector register numbers (0-31; a by-element
// operand of 16-bit lanes must be 0-15). Arrangements are fixed by the
// macro name: 4S = four int32 or float32 lanes, 8H = eight int16 lanes;
// a "2" suffix reads the upper halves of the sources. `go tool objdump`
// decodes every one of these, which is how their encodings were checked.

// Widening: d.8H = sign-extended n.8B (low half) or n.16B upper half;
// d.4S likewise from n.4H / n.8H; U* zero-extend.
#define SXTL_8H(d, n)  WORD $(0x0F08A400 | ((n)<<5) | (d))
#define SXTL2_8H(d, n) WORD $(0x4F08A400 | ((n)<<5) | (d))
#define UXTL_8H(d, n)  WORD $(0x2F08A400 | ((n)<<5) | (d))
#define UXTL2_8H(d, n) WORD $(0x6F08A400 | ((n)<<5) | (d))
#define SXTL_4S(d, n)  WORD $(0x0F10A400 | ((n)<<5) | (d))
#define SXTL2_4S(d, n) WORD $(0x4F10A400 | ((n)<<5) | (d))

// d.4S += n.4H × m.4H (SMLAL) or upper halves (SMLAL2), products exact,
// sums wrapping.
#define SMLAL_4S(d, n, m)  WORD $(0x0E608000 | ((m)<<16) | ((n)<<5) | (d))
#define SMLAL2_4S(d, n, m) WORD $(0x4E608000 | ((m)<<16) | ((n)<<5) | (d))

// d.4S += n.4H (or upper n.8H) × m.H[i], m < 16, i < 8. The lane index
// is split over the H, L and M bits.
#define SMLAL_LANE(d, n, m, i)  WORD $(0x0F402000 | ((((i)>>2)&1)<<11) | ((((i)>>1)&1)<<21) | (((i)&1)<<20) | ((m)<<16) | ((n)<<5) | (d))
#define SMLAL2_LANE(d, n, m, i) WORD $(0x4F402000 | ((((i)>>2)&1)<<11) | ((((i)>>1)&1)<<21) | (((i)&1)<<20) | ((m)<<16) | ((n)<<5) | (d))

// SDOT by element (FEAT_DotProd): d.S[e] += Σ_{t<4} n.B[4e+t]·m.B[4i+t]
// for e < 4, signed bytes, products and sums exact in int32, the
// accumulation wrapping; m < 32, i < 4 (split over the H and L bits).
// go tool objdump prints it as "?"; llvm-objdump -d --mattr=+dotprod
// decodes it, which is how this encoding was checked.
#define SDOT_LANE(d, n, m, i) WORD $(0x4F80E000 | ((((i)>>1)&1)<<11) | (((i)&1)<<21) | ((m)<<16) | ((n)<<5) | (d))

// Lane-wise int32: d = n·m (low 32 bits), d += n·m (low 32 bits).
#define MUL_4S(d, n, m) WORD $(0x4EA09C00 | ((m)<<16) | ((n)<<5) | (d))
#define MLA_4S(d, n, m) WORD $(0x4EA09400 | ((m)<<16) | ((n)<<5) | (d))

// SQRDMULH: d = sat((2·n·m + 2^31) >> 32), gemmlowp's
// SaturatingRoundingDoublingHighMul.
#define SQRDMULH_4S(d, n, m) WORD $(0x6EA0B400 | ((m)<<16) | ((n)<<5) | (d))

// Shifts by a signed per-lane count in m (low byte): SSHL shifts left
// (wrapping) for positive counts; SRSHL with a negative count is a
// rounding (half up) arithmetic right shift.
#define SSHL_4S(d, n, m)  WORD $(0x4EA04400 | ((m)<<16) | ((n)<<5) | (d))
#define SRSHL_4S(d, n, m) WORD $(0x4EA05400 | ((m)<<16) | ((n)<<5) | (d))

// d = n >> 31 (arithmetic): 0 or -1 per lane.
#define SSHR31_4S(d, n) WORD $(0x4F210400 | ((n)<<5) | (d))

// Saturating add, signed max and min.
#define SQADD_4S(d, n, m) WORD $(0x4EA00C00 | ((m)<<16) | ((n)<<5) | (d))
#define SMAX_4S(d, n, m)  WORD $(0x4EA06400 | ((m)<<16) | ((n)<<5) | (d))
#define SMIN_4S(d, n, m)  WORD $(0x4EA06C00 | ((m)<<16) | ((n)<<5) | (d))

// float32: d = n·m, d = n + m (each rounded, never fused), d = n·m.S[i]
// (i < 4), d = all-ones where n > m (false for NaN).
#define FMUL_4S(d, n, m)       WORD $(0x6E20DC00 | ((m)<<16) | ((n)<<5) | (d))
#define FADD_4S(d, n, m)       WORD $(0x4E20D400 | ((m)<<16) | ((n)<<5) | (d))
#define FMUL_LANE(d, n, m, i)  WORD $(0x4F809000 | ((((i)>>1)&1)<<11) | (((i)&1)<<21) | ((m)<<16) | ((n)<<5) | (d))
#define FCMGT_4S(d, n, m)      WORD $(0x6EA0E400 | ((m)<<16) | ((n)<<5) | (d))

// BIT: d = (d &^ m) | (n & m), copying n's bits where m is set.
#define BIT_16B(d, n, m) WORD $(0x6EA01C00 | ((m)<<16) | ((n)<<5) | (d))

// Lane-wise int32 d = n + m, d = n − m (wrapping), and bitwise d = n & m.
#define ADD_4S(d, n, m)  WORD $(0x4EA08400 | ((m)<<16) | ((n)<<5) | (d))
#define SUB_4S(d, n, m)  WORD $(0x6EA08400 | ((m)<<16) | ((n)<<5) | (d))
#define AND_16B(d, n, m) WORD $(0x4E201C00 | ((m)<<16) | ((n)<<5) | (d))
