package kernel

import "unsafe"

// The row kernels step from block to block by RQBLOCKSIZE (448) bytes
// (depthwise_row_amd64.s); this fails to compile if rqBlock or
// rqShortBlock changes size.
const _ = uint(448-rqBlockSize) + uint(rqBlockSize-448) +
	uint(448-unsafe.Sizeof(rqShortBlock{})) + uint(unsafe.Sizeof(rqShortBlock{})-448)

// dwRowSIMD reports whether this architecture has the depthwise row
// kernels.
const dwRowSIMD = true

// dwRow3x3SIMD computes pixels interior output pixels of a 3×3 depthwise
// convolution with depth multiplier 1 and C channels (C a multiple of 8):
// pixel i's top-left tap is in[p+i·sx:], its taps dx and dy elements
// apart, and its C outputs go to out[i·ldo:]. w3 and blocks hold the
// weights and requantization parameters of packDepthwise3x3 and
// newDWRowBlocks; the bias + inputOffset·Σw is in the blocks. When fast
// is not nil (newDWFastBlocks; the caller has checked the sums fit), its
// short requantization runs instead.
func dwRow3x3SIMD[T quantElem](in []T, p, dx, dy, sx, C, ldo int, w3 []int16, blocks []rqBlock, fast []rqShortBlock, rc *rqConsts, out []T, pixels int) {
	if pixels <= 0 {
		return
	}
	b16, half := C/16, C%16/8
	// The assembly does not check bounds; these make Go do it once.
	_ = in[p+(pixels-1)*sx+2*dy+2*dx+C-1]
	_ = out[(pixels-1)*ldo+C-1]
	_ = w3[b16*dw3x3BlockWeights+half*dw3x3HalfWeights-1]
	_ = blocks[b16+half-1]
	blk, isFast := unsafe.Pointer(&blocks[0]), 0
	if fast != nil {
		_ = fast[b16+half-1]
		blk, isFast = unsafe.Pointer(&fast[0]), 1
	}
	x := unsafe.Pointer(&in[p])
	o := unsafe.Pointer(&out[0])
	if b16 > 0 {
		if isUnsigned[T]() {
			dwRow3x3Uint8((*uint8)(x), uintptr(dx), uintptr(dy), uintptr(sx), &w3[0], blk, (*uint8)(o), uintptr(ldo), pixels, b16, rc, isFast)
		} else {
			dwRow3x3Int8((*int8)(x), uintptr(dx), uintptr(dy), uintptr(sx), &w3[0], blk, (*int8)(o), uintptr(ldo), pixels, b16, rc, isFast)
		}
	}
	if half > 0 {
		c := 16 * b16
		x, o := unsafe.Add(x, c), unsafe.Add(o, c)
		w, blk := &w3[b16*dw3x3BlockWeights], unsafe.Add(blk, b16*int(rqBlockSize))
		if isUnsigned[T]() {
			dwRow3x3HalfUint8((*uint8)(x), uintptr(dx), uintptr(dy), uintptr(sx), w, blk, (*uint8)(o), uintptr(ldo), pixels, 1, rc, isFast)
		} else {
			dwRow3x3HalfInt8((*int8)(x), uintptr(dx), uintptr(dy), uintptr(sx), w, blk, (*int8)(o), uintptr(ldo), pixels, 1, rc, isFast)
		}
	}
}

//go:noescape
func dwRow3x3Int8(in *int8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)

//go:noescape
func dwRow3x3Uint8(in *uint8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)

//go:noescape
func dwRow3x3HalfInt8(in *int8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *int8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)

//go:noescape
func dwRow3x3HalfUint8(in *uint8, dx, dy, sx uintptr, w *int16, blk unsafe.Pointer, out *uint8, ldo uintptr, pixels, blocks int, c *rqConsts, fast int)
