package kernel

import "unsafe"

// meanBatchRows is the most rows one call of the sum kernel adds: its
// 16-bit lanes hold 128 bytes of either type exactly (128·255 < 2^15).
const meanBatchRows = 128

// meanSumRows adds rows rows of x, inner elements apart, into sum
// (len(sum) ≤ inner) with the vector kernel, for the whole blocks of 16
// channels, and returns how many channels it did; the caller adds the
// rest.
func meanSumRows[T ewQuant](sum []int32, x []T, rows, inner int) int {
	blocks := len(sum) / 16
	if blocks == 0 || rows == 0 {
		return 0
	}
	// The assembly does not check bounds; these make Go do it once.
	_ = x[(rows-1)*inner+16*blocks-1]
	for r0 := 0; r0 < rows; r0 += meanBatchRows {
		n := min(meanBatchRows, rows-r0)
		p := unsafe.Pointer(&x[r0*inner])
		if isUnsigned[T]() {
			meanSumUint8(&sum[0], (*uint8)(p), n, uintptr(inner), blocks)
		} else {
			meanSumInt8(&sum[0], (*int8)(p), n, uintptr(inner), blocks)
		}
	}
	return 16 * blocks
}

// meanRequant is the vector requantization of MEAN's integer paths:
// every sum goes through requant16 with one block of 16 equal lanes.
type meanRequant struct {
	blocks []rqBlock
	rc     rqConsts
}

// newMeanRequant prepares the requantization v = MultiplyByQuantizedMultiplier(s, mult, shift) + outOff,
// clamped to [lo, hi], for requant16.
func newMeanRequant[T ewQuant](mult int32, shift int, outOff, lo, hi int32) *meanRequant {
	rq := make([]requantizer, 16)
	for i := range rq {
		rq[i] = newRequantizer(mult, shift)
	}
	m := &meanRequant{blocks: newRQBlocks(rq, nil), rc: rqConsts{outOff: outOff, actMin: lo, actMax: hi}}
	if isUnsigned[T]() {
		m.rc.unsigned = 1
	}
	m.rc.setShifts(m.blocks)
	return m
}

// run requantizes the whole rows of 16 sums into y and returns how many
// it did; the caller does the rest.
func (m *meanRequant) run(sum []int32, y []byte) int {
	rows := len(sum) / 16
	if rows == 0 {
		return 0
	}
	_ = y[16*rows-1]
	requant16(&sum[0], rows, &m.blocks[0], 0, &y[0], 16, &m.rc)
	return 16 * rows
}
