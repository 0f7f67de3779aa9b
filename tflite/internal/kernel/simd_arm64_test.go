package kernel

import (
	"os"
	"testing"
)

// TestNEONSelected makes sure the arm64 runs (qemu-aarch64 in make test)
// exercise the NEON kernels, not silently the portable ones, unless
// EDGEFLEET_TFLITE_NOSIMD asks for those.
func TestNEONSelected(t *testing.T) {
	want := os.Getenv(noSIMDEnv) != "1"
	if got := intSIMD(); got != want {
		t.Fatalf("intSIMD() = %v with %s=%q; want %v", got, noSIMDEnv, os.Getenv(noSIMDEnv), want)
	}
	// The float order tails and depthwise rows have their own switches.
	if got := floatTailSIMD(); got != want {
		t.Fatalf("floatTailSIMD() = %v with %s=%q; want %v", got, noSIMDEnv, os.Getenv(noSIMDEnv), want)
	}
	if got := dwRowFloatSIMD(); got != want {
		t.Fatalf("dwRowFloatSIMD() = %v with %s=%q; want %v", got, noSIMDEnv, os.Getenv(noSIMDEnv), want)
	}
}
