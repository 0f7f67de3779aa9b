//go:build !amd64 && !arm64

package kernel

// dwRowF32 is never called without the assembly (rowSIMD needs dwRowFloatSIMD).
func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int) {
	panic("kernel: dwRowF32 without SIMD")
}

func dwRowFloatSIMD() bool { return false }
