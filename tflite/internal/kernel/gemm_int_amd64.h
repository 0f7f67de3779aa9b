// The dot-product steps of the int16 GEMM tiles, shared by the plain
// kernels (gemm_int_amd64.s), which store int32 sums, and the fused ones
// (gemm_int_fused_amd64.s), which requantize them in registers.
// VPMADDWD multiplies sixteen int16 pairs and adds adjacent products into
// eight int32 lanes; with operands in [-255, 255] nothing saturates, and
// VPADDD wraps like TFLite's int32 accumulator, so the sums are exact.
//
// B is packed per 16 output channels as [kpairs][16 channels][2], int16
// or int8 (widened on load); A rows are int16 with an even length.
// Registers: SI, R8, R9, R10 the four A rows; R15 the weights; Y0-Y7 the
// sums (row r in Y2r, Y2r+1; in Yr for the 8-channel steps); Y8-Y13
// temporaries.

// DOTSTEP adds one pair of taps; LOADW loads the pair's 16×2 weights
// into Y8, Y9 as int16.
#define DOTSTEP(LOADW) \
	LOADW                             \
	VPBROADCASTD (SI), Y10            \
	VPBROADCASTD (R8), Y11            \
	VPMADDWD     Y8, Y10, Y12         \
	VPMADDWD     Y9, Y10, Y13         \
	VPADDD       Y12, Y0, Y0          \
	VPADDD       Y13, Y1, Y1          \
	VPMADDWD     Y8, Y11, Y12         \
	VPMADDWD     Y9, Y11, Y13         \
	VPADDD       Y12, Y2, Y2          \
	VPADDD       Y13, Y3, Y3          \
	VPBROADCASTD (R9), Y10            \
	VPBROADCASTD (R10), Y11           \
	VPMADDWD     Y8, Y10, Y12         \
	VPMADDWD     Y9, Y10, Y13         \
	VPADDD       Y12, Y4, Y4          \
	VPADDD       Y13, Y5, Y5          \
	VPMADDWD     Y8, Y11, Y12         \
	VPMADDWD     Y9, Y11, Y13         \
	VPADDD       Y12, Y6, Y6          \
	VPADDD       Y13, Y7, Y7          \
	ADDQ         $4, SI               \
	ADDQ         $4, R8               \
	ADDQ         $4, R9               \
	ADDQ         $4, R10

#define LOADW8 \
	VPMOVSXBW (R15), Y8   \
	VPMOVSXBW 16(R15), Y9 \
	ADDQ      $32, R15

#define LOADW16 \
	VMOVDQU (R15), Y8   \
	VMOVDQU 32(R15), Y9 \
	ADDQ    $64, R15

// DOTSTEPH is DOTSTEP for a block of 8 live channels: the first 8 of
// each pair's 16 (the rest are zero weights), row r's sums in Yr.
#define DOTSTEPH(LOADW) \
	LOADW                             \
	VPBROADCASTD (SI), Y10            \
	VPBROADCASTD (R8), Y11            \
	VPBROADCASTD (R9), Y12            \
	VPBROADCASTD (R10), Y13           \
	VPMADDWD     Y8, Y10, Y10         \
	VPMADDWD     Y8, Y11, Y11         \
	VPMADDWD     Y8, Y12, Y12         \
	VPMADDWD     Y8, Y13, Y13         \
	VPADDD       Y10, Y0, Y0          \
	VPADDD       Y11, Y1, Y1          \
	VPADDD       Y12, Y2, Y2          \
	VPADDD       Y13, Y3, Y3          \
	ADDQ         $4, SI               \
	ADDQ         $4, R8               \
	ADDQ         $4, R9               \
	ADDQ         $4, R10

#define LOADWH8 \
	VPMOVSXBW (R15), Y8 \
	ADDQ      $32, R15

#define LOADWH16 \
	VMOVDQU (R15), Y8 \
	ADDQ    $64, R15

// ZERO4X16 clears the sums of a 4-row × 16-channel tile and STORE4X16
// writes them to out (DI) as [4][16]int32; the plain int16 tiles and the
// VNNI dot4 tiles (gemm_int_vnni_amd64.s) share both.
#define ZERO4X16 \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7

#define STORE4X16 \
	VMOVDQU Y0, (DI)    \
	VMOVDQU Y1, 32(DI)  \
	VMOVDQU Y2, 64(DI)  \
	VMOVDQU Y3, 96(DI)  \
	VMOVDQU Y4, 128(DI) \
	VMOVDQU Y5, 160(DI) \
	VMOVDQU Y6, 192(DI) \
	VMOVDQU Y7, 224(DI)
