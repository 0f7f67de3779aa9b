package kernel

import (
	"os"

	"golang.org/x/sys/cpu"
)

// This file chooses between the AVX2 kernels (the *_amd64.s files) and the
// portable Go loops; simd_arm64.go does the same for NEON and
// simd_other.go covers the rest. The choice is made when a kernel is
// prepared — weights are packed in the chosen layout — never per Invoke.

// intSIMD reports whether the quantized and float kernels use AVX2: the
// CPU has it and EDGEFLEET_TFLITE_NOSIMD is not 1.
func intSIMD() bool {
	return cpu.X86.HasAVX2 && os.Getenv(noSIMDEnv) != "1"
}
