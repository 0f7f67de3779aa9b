#include "textflag.h"
#include "neon_arm64.h"

// NEON depthwise kernels for depthwise_arm64.go, with the arguments and
// results of their depthwise_amd64.s namesakes.
//
// Integer sums are exact and wrap like TFLite's int32 accumulator: inputs
// are int8/uint8 widened to int16, weights (filter + offset, in
// [-255, 255]) are int32 narrowed to int16 by UZP1 (taking each lane's
// low half loses nothing), and SMLAL adds their exact int32 products.
// Float kernels multiply (FMUL) and add (FADD) separately in the portable
// loop's order, never fused, so they return its bits.

// Depthwise 3×3 interior pixel: acc[c] = bias[c] + Σ_taps x_tap[c]·w_tap[c]
// for 8·blocks channels, 16 per step and a last 8 if blocks is odd. in is
// the input at the pixel's top-left tap; tap (fy, fx) is at in + fy·dy +
// fx·dx. w is [9][C] int32, wstride bytes apart.
//
// Registers: R0-R8 the nine taps' inputs, R9-R17 their weights (both
// advancing with the channels), R19 bias, R20 acc, R21 blocks left; V0-V7
// scratch, V16-V19 the sums of channels 0-3, 4-7, 8-11, 12-15.

// TAP16 adds one tap for 16 channels; XTL/XTL2 widen the input bytes.
#define TAP16(RX, RW, XTL, XTL2) \
	VLD1.P 16(RX), [V0.B16]                     \
	VLD1.P 64(RW), [V4.S4, V5.S4, V6.S4, V7.S4] \
	XTL(1, 0)                                   \
	XTL2(2, 0)                                  \
	VUZP1  V5.H8, V4.H8, V4.H8                  \
	VUZP1  V7.H8, V6.H8, V6.H8                  \
	SMLAL_4S(16, 1, 4)                          \
	SMLAL2_4S(17, 1, 4)                         \
	SMLAL_4S(18, 2, 6)                          \
	SMLAL2_4S(19, 2, 6)

// TAP8 adds one tap for 8 channels.
#define TAP8(RX, RW, XTL) \
	VLD1.P 8(RX), [V0.B8]         \
	VLD1.P 32(RW), [V4.S4, V5.S4] \
	XTL(1, 0)                     \
	VUZP1  V5.H8, V4.H8, V4.H8    \
	SMLAL_4S(16, 1, 4)            \
	SMLAL2_4S(17, 1, 4)

// DW3X3SETUP loads the arguments and the nine input and weight pointers.
#define DW3X3SETUP \
	MOVD in+0(FP), R0       \
	MOVD dx+8(FP), R22      \
	MOVD dy+16(FP), R23     \
	MOVD w+24(FP), R9       \
	MOVD wstride+32(FP), R24 \
	MOVD bias+40(FP), R19   \
	MOVD acc+48(FP), R20    \
	MOVD blocks+56(FP), R21 \
	ADD  R22, R0, R1        \
	ADD  R22, R1, R2        \
	ADD  R23, R0, R3        \
	ADD  R22, R3, R4        \
	ADD  R22, R4, R5        \
	ADD  R23, R3, R6        \
	ADD  R22, R6, R7        \
	ADD  R22, R7, R8        \
	ADD  R24, R9, R10       \
	ADD  R24, R10, R11      \
	ADD  R24, R11, R12      \
	ADD  R24, R12, R13      \
	ADD  R24, R13, R14      \
	ADD  R24, R14, R15      \
	ADD  R24, R15, R16      \
	ADD  R24, R16, R17

// DW3X3 is dw3x3Int8 and dw3x3Uint8, with XTL and XTL2 the sign or zero
// extension of the input bytes: 16 channels a step, then a last 8.
#define DW3X3(XTL, XTL2) \
	DW3X3SETUP                  \
	CMP    $2, R21              \
	BLT    tail8                \
loop16:                             \
	VLD1.P 64(R19), [V16.S4, V17.S4, V18.S4, V19.S4] \
	TAP16(R0, R9, XTL, XTL2)    \
	TAP16(R1, R10, XTL, XTL2)   \
	TAP16(R2, R11, XTL, XTL2)   \
	TAP16(R3, R12, XTL, XTL2)   \
	TAP16(R4, R13, XTL, XTL2)   \
	TAP16(R5, R14, XTL, XTL2)   \
	TAP16(R6, R15, XTL, XTL2)   \
	TAP16(R7, R16, XTL, XTL2)   \
	TAP16(R8, R17, XTL, XTL2)   \
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R20) \
	SUB    $2, R21              \
	CMP    $2, R21              \
	BGE    loop16               \
tail8:                              \
	CBZ    R21, done            \
	VLD1   (R19), [V16.S4, V17.S4] \
	TAP8(R0, R9, XTL)           \
	TAP8(R1, R10, XTL)          \
	TAP8(R2, R11, XTL)          \
	TAP8(R3, R12, XTL)          \
	TAP8(R4, R13, XTL)          \
	TAP8(R5, R14, XTL)          \
	TAP8(R6, R15, XTL)          \
	TAP8(R7, R16, XTL)          \
	TAP8(R8, R17, XTL)          \
	VST1   [V16.S4, V17.S4], (R20) \
done:                               \
	RET

// func dw3x3Int8(in *int8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3Int8(SB), NOSPLIT, $0-64
	DW3X3(SXTL_8H, SXTL2_8H)

// func dw3x3Uint8(in *uint8, dx, dy uintptr, w *int32, wstride uintptr, bias *int32, acc *int32, blocks int)
TEXT ·dw3x3Uint8(SB), NOSPLIT, $0-64
	DW3X3(UXTL_8H, UXTL2_8H)

// Depthwise tap accumulation, 8 channels per step, for pixels the 3×3
// interior kernel does not take (borders, other filter sizes):
// acc[c] += (x[c] + off)·w[c] in int32 (MLA keeps the low 32 bits, Go's
// wrapping int32 multiply-add). V7 holds off in every lane.

// DWTAP is the loop of dwTapInt8/dwTapUint8; XTL widens the input bytes
// (the int16 values are then non-negative for uint8, so SXTL widens them
// further for both).
#define DWTAP(XTL) \
	VLD1.P 8(R1), [V0.B8]         \
	XTL(0, 0)                     \
	SXTL_4S(1, 0)                 \
	SXTL2_4S(2, 0)                \
	ADD_4S(1, 1, 7)               \
	ADD_4S(2, 2, 7)               \
	VLD1.P 32(R2), [V3.S4, V4.S4] \
	VLD1   (R0), [V5.S4, V6.S4]   \
	MLA_4S(5, 1, 3)               \
	MLA_4S(6, 2, 4)               \
	VST1.P [V5.S4, V6.S4], 32(R0)

// func dwTapInt8(acc *int32, x *int8, w *int32, off int32, blocks int)
TEXT ·dwTapInt8(SB), NOSPLIT, $0-40
	MOVD acc+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R2
	MOVW off+24(FP), R3
	MOVD blocks+32(FP), R4
	VDUP R3, V7.S4
	CBZ  R4, tapdone

taploop:
	DWTAP(SXTL_8H)
	SUBS $1, R4, R4
	BNE  taploop

tapdone:
	RET

// func dwTapUint8(acc *int32, x *uint8, w *int32, off int32, blocks int)
TEXT ·dwTapUint8(SB), NOSPLIT, $0-40
	MOVD acc+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R2
	MOVW off+24(FP), R3
	MOVD blocks+32(FP), R4
	VDUP R3, V7.S4
	CBZ  R4, tapudone

tapuloop:
	DWTAP(UXTL_8H)
	SUBS $1, R4, R4
	BNE  tapuloop

tapudone:
	RET

// func dwTapF32(acc *float32, x *float32, w *float32, blocks int)
//
// acc[c] += x[c]·w[c]: FMUL rounds the product, FADD the sum, as the
// portable `acc[c] += float32(x[c] * w[c])`.
TEXT ·dwTapF32(SB), NOSPLIT, $0-32
	MOVD acc+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R2
	MOVD blocks+24(FP), R3
	CBZ  R3, tapfdone

tapfloop:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1.P 32(R2), [V2.S4, V3.S4]
	VLD1   (R0), [V4.S4, V5.S4]
	FMUL_4S(0, 0, 2)
	FMUL_4S(1, 1, 3)
	FADD_4S(4, 4, 0)
	FADD_4S(5, 5, 1)
	VST1.P [V4.S4, V5.S4], 32(R0)
	SUBS   $1, R3, R3
	BNE    tapfloop

tapfdone:
	RET
