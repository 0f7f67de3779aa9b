package kernel

// addVecCPU reports whether the vector quantized ADD/SUB runs: the AVX2
// kernels are enabled (intSIMD).
func addVecCPU() bool { return intSIMD() }

// addVecInt8 and addVecUint8 compute steps·32 outputs of a quantized ADD
// or SUB of int8 or uint8 tensors: out[i] from the exact input's xe[i]
// and the rounded input's xr[i], in the given mode (add_amd64.s,
// add_simd.go).
//
//go:noescape
func addVecInt8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode)

//go:noescape
func addVecUint8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode)
