package kernel

import (
	"os"

	"golang.org/x/sys/cpu"
)

// On arm64 the NEON kernels (the *_arm64.s files) replace the portable
// loops, integer and float alike; like on amd64 the choice is made when a
// kernel is prepared, never per Invoke. Advanced SIMD is architectural on
// ARMv8-A, so the check only guards against an odd kernel or emulator.

// intSIMD reports whether the quantized and float kernels use NEON: the
// CPU has it and EDGEFLEET_TFLITE_NOSIMD is not 1.
func intSIMD() bool {
	return cpu.ARM64.HasASIMD && os.Getenv(noSIMDEnv) != "1"
}
