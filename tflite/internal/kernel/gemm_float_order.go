package kernel

// The order in which TFLite 2.2 sums the products of a float32 CONV_2D or
// FULLY_CONNECTED output, so that this engine returns the same bits.
//
// On x86 (the goldens come from TF 2.2's prebuilt library: SSE, no FMA,
// one thread) both ops call cpu_backend_gemm, which hands them to Eigen's
// dense product dst = lhs·rhs: lhs is the weights, m = output channels by
// K (row-major), rhs the im2col patches or input rows, K by n = pixels or
// batches. Eigen picks its kernel from m, n and K, and each kernel adds in
// its own order. Summing in plain k order is within float rounding of it,
// but deep float16-weight models (MediaPipe pose_landmark) amplify those
// last bits past the 1e-4 tolerance, so the order is reproduced exactly:
//
//   - n = 1 or m = 1 (row-major GEMV): four lanes take k mod 4 over the
//     whole groups of four, are reduced as (l0+l2)+(l1+l3), then the
//     remaining k are added in order. Eigen's coefficient-based product,
//     used when K+m+n < 20, reduces each output with two four-lane
//     accumulators that only differ from these lanes from K = 16 on, so
//     it is the same order there.
//   - otherwise the blocked GEMM (gebp, 8 channels × 4 pixels per micro
//     kernel): K is cut into blocks of floatSumOrder.kc, each block is
//     summed from zero and added to the output. Within a block, channels
//     below m rounded down to 8 — and every channel of the last n mod 4
//     pixels — add in k order; the next four channels (m mod 8 ≥ 4) sum
//     even and odd k separately over the first ⌊block/8⌋·8 products, add
//     the two, then the rest in order; the last m mod 4 channels use four
//     lanes over k mod 4, reduced as (l0+l1)+(l2+l3), then the rest.
//
// The bias is added after the sum (BiasAndClamp). Checked bit for bit
// against TF 2.2 on some 2000 random CONV_2D/FULLY_CONNECTED shapes and on
// every convolution of the MediaPipe pose_landmark models; the
// float_exact reference cases keep one shape per path.

// eigenL1Bytes is the L1 data cache size Eigen's blocking assumes. TF 2.2
// reads it from CPUID; 32 KiB is Eigen's x86 default and the L1d of the
// machines the goldens come from (and of most x86 CPUs). With it, K is
// blocked only above 680; a TF 2.2 on a CPU with another L1d size blocks
// such large K differently, so its own outputs differ in the last bits.
const eigenL1Bytes = 32 << 10

// Kinds of floatSumOrder.
const (
	sumGEMM = iota // blocked GEMM
	sumGEMV        // one pixel, one channel or a tiny product: four-lane dot products
)

// floatSumOrder is TF 2.2's summation order for one m×n×K float product
// (m channels, n pixels or batch rows, K products per output).
type floatSumOrder struct {
	kind int
	m, n int
	k    int
	kc   int // GEMM: products per K block
	m8   int // GEMM: channels below m8 sum in k order
	m4   int // GEMM: channels [m8, m4) split even/odd k; [m4, m) four lanes
	n4   int // GEMM: pixels from n4 on sum every channel in k order
}

// newFloatSumOrder returns the order of an m×n product with K products
// per output.
func newFloatSumOrder(m, n, k int) floatSumOrder {
	o := floatSumOrder{m: m, n: n, k: k, kc: k, m8: m / 8 * 8, m4: m / 4 * 4, n4: n / 4 * 4}
	if n == 1 || m == 1 || k+m+n < 20 {
		o.kind = sumGEMV
	} else {
		o.kind = sumGEMM
		o.kc = eigenKc(k, m, n)
	}
	return o
}

// eigenKc is the K block of Eigen's computeProductBlockingSizes for one
// thread, with SSE float micro kernels (mr = 8, nr = 4, k peeling 8): the
// largest multiple of 8 whose 8×kc and kc×4 panels fit in L1, shrunk so
// that the blocks come out as even as possible.
func eigenKc(k, m, n int) int {
	const mr, nr, kPeel = 8, 4, 8
	if max(k, m, n) < 48 {
		return k
	}
	maxKc := max((eigenL1Bytes-mr*nr*4)/(mr*4+nr*4)&^(kPeel-1), 1)
	switch {
	case k <= maxKc:
		return k
	case k%maxKc == 0:
		return maxKc
	}
	return maxKc - kPeel*((maxKc-1-k%maxKc)/(kPeel*(k/maxKc+1)))
}

// inKOrder reports whether output (channel i, pixel j) of a GEMM sums each
// K block in plain k order, the order of the packed kernels.
func (o *floatSumOrder) inKOrder(i, j int) bool {
	return o.kind == sumGEMM && (i < o.m8 || j >= o.n4)
}

// sum returns Σ w[k]·x[k] for channel i of pixel j in TF 2.2's order; w is
// the channel's weights, x the pixel's patch (zeros at padding), both K
// long. Every product is rounded to float32 before it is added (no FMA:
// see gemm_float.go).
func (o *floatSumOrder) sum(i, j int, w, x []float32) float32 {
	w = w[:len(x)]
	if o.kind == sumGEMV {
		return gemvDotFloat(w, x)
	}
	var res float32
	for k0 := 0; k0 < len(x); k0 += o.kc {
		k1 := min(k0+o.kc, len(x))
		wb, xb := w[k0:k1], x[k0:k1]
		var s float32
		switch {
		case o.inKOrder(i, j):
			for k, v := range xb {
				s += float32(v * wb[k])
			}
		case i < o.m4:
			s = splitDotFloat(wb, xb)
		default:
			s = lanesDotFloat(wb, xb)
		}
		res += s
	}
	return res
}

// gemvDotFloat is one row of Eigen's row-major matrix·vector product.
func gemvDotFloat(w, x []float32) float32 {
	l, k := laneSums(w, x)
	return tailDot((l[0]+l[2])+(l[1]+l[3]), w[k:], x[k:])
}

// laneSums adds products k = 0, 1, 2, 3 mod 4 into four lanes over the
// first ⌊K/4⌋·4 terms and returns them with that count.
func laneSums(w, x []float32) (l [4]float32, k int) {
	for ; k+4 <= len(x); k += 4 {
		l[0] += float32(w[k] * x[k])
		l[1] += float32(w[k+1] * x[k+1])
		l[2] += float32(w[k+2] * x[k+2])
		l[3] += float32(w[k+3] * x[k+3])
	}
	return l, k
}

// tailDot adds the remaining products to s in order.
func tailDot(s float32, w, x []float32) float32 {
	for k, v := range x {
		s += float32(v * w[k])
	}
	return s
}

// splitDotFloat is Eigen's one-packet micro kernel: even and odd products
// of the first ⌊K/8⌋·8 in two accumulators, then the rest.
func splitDotFloat(w, x []float32) float32 {
	var even, odd float32
	peeled := len(x) / 8 * 8
	for k := 0; k < peeled; k += 2 {
		even += float32(w[k] * x[k])
		odd += float32(w[k+1] * x[k+1])
	}
	return tailDot(even+odd, w[peeled:], x[peeled:])
}

// lanesDotFloat is Eigen's kernel for the rows left after the packets:
// four lanes over k mod 4, reduced (l0+l1)+(l2+l3), then the rest.
func lanesDotFloat(w, x []float32) float32 {
	l, k := laneSums(w, x)
	return tailDot((l[0]+l[1])+(l[2]+l[3]), w[k:], x[k:])
}
