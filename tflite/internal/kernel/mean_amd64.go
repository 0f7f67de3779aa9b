package kernel

// meanSumCPU reports whether MEAN's sums run on the AVX2 kernel: the
// AVX2 kernels are enabled (intSIMD).
func meanSumCPU() bool { return intSIMD() }

// meanSumInt8 and meanSumUint8 add rows (1 to meanBatchRows) rows of
// blocks·16 bytes, stride bytes apart, into sum[:blocks·16]
// (mean_amd64.s).
//
//go:noescape
func meanSumInt8(sum *int32, x *int8, rows int, stride uintptr, blocks int)

//go:noescape
func meanSumUint8(sum *int32, x *uint8, rows int, stride uintptr, blocks int)
