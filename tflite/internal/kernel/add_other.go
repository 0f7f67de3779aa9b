//go:build !amd64

package kernel

// addVecCPU reports whether the vector quantized ADD/SUB runs: only
// amd64 has it.
func addVecCPU() bool { return false }

// addVecInt8 is never reached: newAddVec returns nil here.
func addVecInt8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode) {
	panic("kernel: vector ADD on an architecture without it")
}

// addVecUint8 is never reached: newAddVec returns nil here.
func addVecUint8(out, xe, xr *byte, steps int, p *addVec, mode addVecMode) {
	panic("kernel: vector ADD on an architecture without it")
}
