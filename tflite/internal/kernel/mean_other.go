//go:build !amd64

package kernel

// meanSumCPU reports whether MEAN's sums run on a vector kernel: only
// amd64 has one.
func meanSumCPU() bool { return false }

// meanSumInt8 is never reached: meanSumCPU is false here.
func meanSumInt8(sum *int32, x *int8, rows int, stride uintptr, blocks int) {
	panic("kernel: vector MEAN sums on an architecture without them")
}

// meanSumUint8 is never reached: meanSumCPU is false here.
func meanSumUint8(sum *int32, x *uint8, rows int, stride uintptr, blocks int) {
	panic("kernel: vector MEAN sums on an architecture without them")
}
