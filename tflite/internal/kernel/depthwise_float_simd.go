//go:build amd64 || arm64

package kernel

// The float depthwise row kernel both assembly ports provide with the
// same arguments and contract (depthwise_float_amd64.s with AVX2,
// depthwise_float_arm64.s with NEON); rowInterior calls it.

//go:noescape
func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int)

// dwRowFloatSIMD reports whether float depthwise rows use dwRowF32.
func dwRowFloatSIMD() bool { return intSIMD() }
