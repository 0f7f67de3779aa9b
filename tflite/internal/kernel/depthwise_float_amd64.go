package kernel

//go:noescape
func dwRowF32(in *float32, offs *int, taps int, pxStep uintptr, w *float32, wstride uintptr, bias *float32, lo, hi float32, dst *float32, pixels, blocks int)

// dwRowFloatSIMD reports whether float depthwise rows use dwRowF32.
func dwRowFloatSIMD() bool { return intSIMD() }
