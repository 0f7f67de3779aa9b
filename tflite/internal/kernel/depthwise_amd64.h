// The 3×3 depthwise tap-pair step shared by the per-pixel kernel
// (depthwise_amd64.s) and the row kernels (depthwise_row_amd64.s).
//
// Taps are paired (0,1) (2,3) (4,5) (6,7) (8,–); interleaving two taps'
// int16 inputs lets one VPMADDWD add both products per channel.
// Interleaving works within 128-bit lanes, so for 16 channels the "lo"
// half holds channels 0-3 and 8-11, the "hi" half 4-7 and 12-15; the
// weights (packDepthwise3x3) are laid out the same way. Sums are exact:
// |x·w| ≤ 255·255, two per lane.

// DWPAIR adds taps XA and XB (16 bytes each, widened by EXT) times the
// pair's weights at OFF(BX) into Y4 (lo) and Y5 (hi). Clobbers Y0-Y3.
#define DWPAIR(XA, XB, OFF, EXT) \
	EXT        XA, Y0             \
	EXT        XB, Y1             \
	VPUNPCKLWD Y1, Y0, Y2         \
	VPUNPCKHWD Y1, Y0, Y3         \
	VPMADDWD   OFF(BX), Y2, Y2    \
	VPMADDWD   OFF+32(BX), Y3, Y3 \
	VPADDD     Y2, Y4, Y4         \
	VPADDD     Y3, Y5, Y5

// DWLAST is DWPAIR for the lone tap 8: the pair's second weight is 0, so
// the input interleaved with itself serves and one widening is saved.
#define DWLAST(XA, OFF, EXT) \
	EXT        XA, Y0             \
	VPUNPCKLWD Y0, Y0, Y2         \
	VPUNPCKHWD Y0, Y0, Y3         \
	VPMADDWD   OFF(BX), Y2, Y2    \
	VPMADDWD   OFF+32(BX), Y3, Y3 \
	VPADDD     Y2, Y4, Y4         \
	VPADDD     Y3, Y5, Y5

// DWPAIRX and DWLASTX are the half-width forms for 8 channels: 8 bytes
// per tap, lo = channels 0-3 and hi = 4-7 in X4 and X5, 16-byte weight
// halves.
#define DWPAIRX(XA, XB, OFF, EXT) \
	EXT        XA, X0             \
	EXT        XB, X1             \
	VPUNPCKLWD X1, X0, X2         \
	VPUNPCKHWD X1, X0, X3         \
	VPMADDWD   OFF(BX), X2, X2    \
	VPMADDWD   OFF+16(BX), X3, X3 \
	VPADDD     X2, X4, X4         \
	VPADDD     X3, X5, X5

#define DWLASTX(XA, OFF, EXT) \
	EXT        XA, X0             \
	VPUNPCKLWD X0, X0, X2         \
	VPUNPCKHWD X0, X0, X3         \
	VPMADDWD   OFF(BX), X2, X2    \
	VPMADDWD   OFF+16(BX), X3, X3 \
	VPADDD     X2, X4, X4         \
	VPADDD     X3, X5, X5
