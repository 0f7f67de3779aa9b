package kernel

// Float element-wise loops shared by ADD, SUB and the RELU family. They
// clamp as TFLite's ActivationFunctionWithMinMax does,
// std::min(std::max(v, lo), hi): a NaN passes through and −0 stays −0
// (Go's min and max would turn −0 into +0 against a bound of 0). The
// AVX2 forms (elementwise_amd64.s) give the same bits.

// clampF32 is std::min(std::max(v, lo), hi).
func clampF32(v, lo, hi float32) float32 {
	if v < lo {
		v = lo
	}
	if hi < v {
		v = hi
	}
	return v
}

// addClampF32s stores clamp(x[i] + y[i]) into dst; all three have dst's
// length or more.
func addClampF32s(dst, x, y []float32, lo, hi float32, simd bool) {
	x, y = x[:len(dst)], y[:len(dst)]
	i := 0
	if simd {
		i = addClampF32SIMD(dst, x, y, lo, hi)
	}
	for ; i < len(dst); i++ {
		dst[i] = clampF32(x[i]+y[i], lo, hi)
	}
}

// subClampF32s stores clamp(x[i] − y[i]) into dst.
func subClampF32s(dst, x, y []float32, lo, hi float32, simd bool) {
	x, y = x[:len(dst)], y[:len(dst)]
	i := 0
	if simd {
		i = subClampF32SIMD(dst, x, y, lo, hi)
	}
	for ; i < len(dst); i++ {
		dst[i] = clampF32(x[i]-y[i], lo, hi)
	}
}

// clampF32s stores clamp(x[i]) into dst.
func clampF32s(dst, x []float32, lo, hi float32, simd bool) {
	x = x[:len(dst)]
	i := 0
	if simd {
		i = clampF32SIMD(dst, x, lo, hi)
	}
	for ; i < len(dst); i++ {
		dst[i] = clampF32(x[i], lo, hi)
	}
}

// maxIntoF32s sets dst[i] = std::max(dst[i], src[i]), i.e. src[i] when
// dst[i] < src[i]: a NaN in src is skipped, one in dst stays.
func maxIntoF32s(dst, src []float32, simd bool) {
	src = src[:len(dst)]
	i := 0
	if simd {
		i = maxIntoF32SIMD(dst, src)
	}
	for ; i < len(dst); i++ {
		if dst[i] < src[i] {
			dst[i] = src[i]
		}
	}
}

// maxIntoInts sets dst[i] = max(dst[i], src[i]) for 8-bit integers.
func maxIntoInts[T int8 | uint8](dst, src []T, simd bool) {
	src = src[:len(dst)]
	i := 0
	if simd {
		i = maxIntoIntSIMD(dst, src)
	}
	for ; i < len(dst); i++ {
		dst[i] = max(dst[i], src[i])
	}
}
