// The steps the amd64 dot4 kernels share (gemm_int_vnni_amd64.s and the
// fused gemm_int_fused_amd64.s). First VPDPBUSD in the two encodings they
// use, as macros of one shape: DPBUSD(W, NW, ACC, NACC) adds the products
// of Y10's unsigned bytes and W's signed bytes to ACC. NACC is ACC's
// register number and NW is W's minus 8; only the VEX form needs them.
//
// DPBUSD is the EVEX form (AVX512-VNNI; ymm needs AVX512VL too), which
// the Go assembler knows. DPBUSDVEX is the VEX form (AVX-VNNI), which it
// does not, spelled out as bytes for W in Y8-Y15 and ACC in Y0-Y7:
// VEX.256.66.0F38.W0 50 /r, that is C4, then R̄X̄B̄·mmmmm = 110·00010 (the
// bits stored inverted: R and X clear, B set for W ≥ 8), then
// W·vvvv·L·pp = 0·0101·1·01 (vvvv = Y10 inverted, 256-bit, 66 prefix),
// the opcode 50 and ModRM 11·ACC·W. GNU as encodes
// `{vex} vpdpbusd %ymm8, %ymm10, %ymm0` as C4 C2 2D 50 C0.

#define DPBUSD(W, NW, ACC, NACC) VPDPBUSD W, Y10, ACC

#define DPBUSDVEX(W, NW, ACC, NACC) \
	BYTE $0xC4; BYTE $0xC2; BYTE $0x2D; BYTE $0x50; BYTE $(0xC0+8*NACC+NW)

// SIGNBITS sets every byte of Y11 to 0x80 (R is clobbered): XORed into
// the input bytes, it reads each int8 a as the unsigned a + 128.
#define SIGNBITS(R) \
	MOVL         $0x80808080, R \
	VMOVD        R, X11         \
	VPBROADCASTD X11, Y11

// VNNIROW adds row R's four taps times the weights in Y8, Y9 to LO, HI
// (numbers NLO, NHI) and steps R to its next four taps; DOT is DPBUSD
// or DPBUSDVEX. The input bytes are broadcast to Y10 and made unsigned
// with Y11 (SIGNBITS).
#define VNNIROW(DOT, R, LO, HI, NLO, NHI) \
	VPBROADCASTD (R), Y10       \
	VPXOR        Y11, Y10, Y10  \
	DOT(Y8, 0, LO, NLO)         \
	DOT(Y9, 1, HI, NHI)         \
	ADDQ         $4, R
