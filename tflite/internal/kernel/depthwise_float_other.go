//go:build !amd64

package kernel

// dwRowF32 is never called without AVX2 (rowSIMD needs intSIMD on amd64).
func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int) {
	panic("kernel: dwRowF32 without AVX2")
}

func dwRowFloatSIMD() bool { return false }
