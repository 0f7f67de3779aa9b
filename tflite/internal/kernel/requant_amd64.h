// The requantization steps shared by requant16 (requant_amd64.s), the
// depthwise row kernels (depthwise_row_amd64.s) and the fused GEMM tiles
// (gemm_int_fused_amd64.s), so all compute exactly
// fixedpoint.MultiplyByQuantizedMultiplier + zero point with the same
// instructions. RQ8/RQ16 take their parameters from an rqBlock
// (requant.go): bias, left, multiplier, right, mask, half, multOdd — each
// [16]int32 at offsets 0, 64, 128, 192, 256, 320, 384; RQX8/RQX16 from an
// rqShortBlock (requant_short.go). Both are RQBLOCKSIZE bytes.

#define RQBLOCKSIZE 448

// RQ8 requantizes the 8 int32 lanes of X, which already hold acc + bias,
// with the block lanes at off(P) into r + outOff (wrapping like TFLite's
// int32 addition), before the clamp:
//   x = X << left                                  (SHIFT; int32, wrapping)
//   s = (x·multiplier + 2^30) >> 31                (SaturatingRoundingDoublingHighMul;
//                                                   equal to TFLite's nudge-and-truncate form)
//   r = (s >> right) + ((s & mask) > half + (s < 0))   (RoundingDivideByPOT)
// T1-T3 are clobbered; Y11 must be zero, Y14 hold outOff in every lane and
// Y15 the nudge 2^30 in every quadword. SHIFT is RQLEFT, or RQNOLEFT when
// no channel of the op shifts left (multipliers below one, nearly every
// convolution). Zen-class cores run every vector shift on one pipe, so
// the high multiply doubles with VPADDQ and moves dwords with VPSHUFD
// instead of shifting:
//   e, o = x·m (+ nudge) for even and odd lanes (64-bit, VPMULDQ)
//   e+e, o+o hold (x·m + 2^30) >> 31 in their high dwords
// and the rounding compares (s & mask) − (s < 0) > half, the same test
// as (s & mask) > half + (s < 0).
#define RQ8(X, T1, T2, T3, P, off, SHIFT) \
	SHIFT(X, P, off)                     \
	VPMULDQ     128+off(P), X, T1        \
	VPSHUFD     $0xF5, X, T2             \
	VPMULDQ     384+off(P), T2, T2       \
	VPADDQ      Y15, T1, T1              \
	VPADDQ      Y15, T2, T2              \
	VPADDQ      T1, T1, T1               \
	VPADDQ      T2, T2, T2               \
	VPSHUFD     $0xF5, T1, T1            \
	VPBLENDD    $0xAA, T2, T1, X         \
	VPSRAVD     192+off(P), X, T1        \
	VPAND       256+off(P), X, T2        \
	VPCMPGTD    X, Y11, T3               \
	VPADDD      T3, T2, T2               \
	VPCMPGTD    320+off(P), T2, T2       \
	VPSUBD      T2, T1, X                \
	VPADDD      Y14, X, X

#define RQLEFT(X, P, off) VPSLLVD 64+off(P), X, X
#define RQNOLEFT(X, P, off)

// RQ16 is RQ8 on two registers at once, XA with the block lanes at
// offA(P) and XB with those at offB(P), their instructions interleaved:
// Zen's small FP scheduler sees only a few dozen instructions ahead, so
// two independent chains side by side keep the pipes busy where one
// after the other would wait on each step's latency.
#define RQ16(XA, A1, A2, A3, offA, XB, B1, B2, B3, offB, P, SHIFT) \
	SHIFT(XA, P, offA)                   \
	SHIFT(XB, P, offB)                   \
	VPMULDQ     128+offA(P), XA, A1      \
	VPMULDQ     128+offB(P), XB, B1      \
	VPSHUFD     $0xF5, XA, A2            \
	VPSHUFD     $0xF5, XB, B2            \
	VPMULDQ     384+offA(P), A2, A2      \
	VPMULDQ     384+offB(P), B2, B2      \
	VPADDQ      Y15, A1, A1              \
	VPADDQ      Y15, B1, B1              \
	VPADDQ      Y15, A2, A2              \
	VPADDQ      Y15, B2, B2              \
	VPADDQ      A1, A1, A1               \
	VPADDQ      B1, B1, B1               \
	VPADDQ      A2, A2, A2               \
	VPADDQ      B2, B2, B2               \
	VPSHUFD     $0xF5, A1, A1            \
	VPSHUFD     $0xF5, B1, B1            \
	VPBLENDD    $0xAA, A2, A1, XA        \
	VPBLENDD    $0xAA, B2, B1, XB        \
	VPSRAVD     192+offA(P), XA, A1      \
	VPSRAVD     192+offB(P), XB, B1      \
	VPAND       256+offA(P), XA, A2      \
	VPAND       256+offB(P), XB, B2      \
	VPCMPGTD    XA, Y11, A3              \
	VPCMPGTD    XB, Y11, B3              \
	VPADDD      A3, A2, A2               \
	VPADDD      B3, B2, B2               \
	VPCMPGTD    320+offA(P), A2, A2      \
	VPCMPGTD    320+offB(P), B2, B2      \
	VPSUBD      A2, A1, XA               \
	VPSUBD      B2, B1, XB               \
	VPADDD      Y14, XA, XA              \
	VPADDD      Y14, XB, XB

// RQX8 is the short requantization (requant_short.go) of the depthwise
// row kernels and the fused GEMM tiles, valid when no channel shifts
// left, every right shift k is at most 21 and |X| < 2^30 (the callers
// check the bias and weights).
// With s = (x·m + 2^30) >> 31 (SaturatingRoundingDoublingHighMul) and
// K = 2^30 + 2^(30+k) + outOff·2^(31+k), nested floor division gives
//   q = (x·m + K) >> 31 = s + 2^(k−1) + outOff·2^k
//   RoundingDivideByPOT(s, k) + outOff = (q − [s < 0]) >> k
// (round half away from zero is floor((s + 2^(k−1) − [s<0]) / 2^k)), and
// s < 0 exactly when q < 2^(k−1) + outOff·2^k. The kernel computes
// q' = q − 1 as the high dword of 2x·m + 2K − 2^32 (doubling x, not
// the 64-bit products) and q' − [q' > thresh] with thresh =
// 2^(k−1) + outOff·2^k − 2; for k = 0, thresh = MinInt32 makes the
// result q = s + outOff. Eleven instructions per 8 lanes instead of
// RQ8's sixteen, and no constant registers. The rqShortBlock at P: bias,
// mult, multOdd (lane 2i+1's multiplier at 2i) at 0, 64, 128; the 2K −
// 2^32 of lanes 0,2,4,6 and 1,3,5,7 at 192+G and 224+G (G = 0 for lanes
// 0-7, 64 for 8-15); thresh at 320 and k at 384. off is 0 or 32 (lanes
// 8-15); E and O are clobbered.
#define RQX8(X, E, O, P, off, G) \
	VPADDD      X, X, X                  \
	VPMULDQ     64+off(P), X, E          \
	VPSHUFD     $0xF5, X, O              \
	VPMULDQ     128+off(P), O, O         \
	VPADDQ      192+G(P), E, E           \
	VPADDQ      224+G(P), O, O           \
	VPSHUFD     $0xF5, E, E              \
	VPBLENDD    $0xAA, O, E, X           \
	VPCMPGTD    320+off(P), X, E         \
	VPSUBD      E, X, X                  \
	VPSRAVD     384+off(P), X, X

// RQX16 is RQX8 on lanes 0-7 in XA and 8-15 in XB, interleaved, in five
// parts (RQX16A-E) that a software-pipelined loop can spread between
// other work.
#define RQX16(XA, EA, OA, XB, EB, OB, P) \
	RQX16A(XA, EA, OA, XB, EB, OB, P) \
	RQX16B(XA, EA, OA, XB, EB, OB, P) \
	RQX16C(XA, EA, OA, XB, EB, OB, P) \
	RQX16D(XA, EA, OA, XB, EB, OB, P) \
	RQX16E(XA, EA, OA, XB, EB, OB, P)

#define RQX16A(XA, EA, OA, XB, EB, OB, P) \
	VPADDD      XA, XA, XA               \
	VPADDD      XB, XB, XB               \
	VPMULDQ     64(P), XA, EA            \
	VPMULDQ     96(P), XB, EB

#define RQX16B(XA, EA, OA, XB, EB, OB, P) \
	VPSHUFD     $0xF5, XA, OA            \
	VPSHUFD     $0xF5, XB, OB            \
	VPMULDQ     128(P), OA, OA           \
	VPMULDQ     160(P), OB, OB

#define RQX16C(XA, EA, OA, XB, EB, OB, P) \
	VPADDQ      192(P), EA, EA           \
	VPADDQ      256(P), EB, EB           \
	VPADDQ      224(P), OA, OA           \
	VPADDQ      288(P), OB, OB           \
	VPSHUFD     $0xF5, EA, EA            \
	VPSHUFD     $0xF5, EB, EB

#define RQX16D(XA, EA, OA, XB, EB, OB, P) \
	VPBLENDD    $0xAA, OA, EA, XA        \
	VPBLENDD    $0xAA, OB, EB, XB        \
	VPCMPGTD    320(P), XA, EA           \
	VPCMPGTD    352(P), XB, EB

#define RQX16E(XA, EA, OA, XB, EB, OB, P) \
	VPSUBD      EA, XA, XA               \
	VPSUBD      EB, XB, XB               \
	VPSRAVD     384(P), XA, XA           \
	VPSRAVD     416(P), XB, XB

// RQX16EU is RQX16E for blocks whose lanes all share one right shift,
// given as a VPSRAD count K (an X register or a 128-bit memory operand
// whose low quadword is the count): Zen-class cores run the per-lane
// VPSRAVD at half VPSRAD's rate.
#define RQX16EU(XA, EA, XB, EB, K) \
	VPSUBD      EA, XA, XA               \
	VPSUBD      EB, XB, XB               \
	VPSRAD      K, XA, XA                \
	VPSRAD      K, XB, XB
