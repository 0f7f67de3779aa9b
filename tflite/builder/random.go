package builder

import (
	"encoding/binary"
	"math"
)

// Rand is a splitmix64 generator: tiny, deterministic on every platform,
// and the same generator the reference runner uses for random inputs. The
// ready-made models draw their weights from it so that a seed always gives
// the same file.
type Rand struct{ state uint64 }

// NewRand returns a generator seeded with seed.
func NewRand(seed uint64) *Rand { return &Rand{state: seed} }

// Uint64 returns the next 64 random bits.
func (r *Rand) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Float32 returns a value uniform in [lo, hi).
func (r *Rand) Float32(lo, hi float32) float32 {
	// 24 random bits give every float32 in [0, 1) with equal spacing.
	u := float32(r.Uint64()>>40) / (1 << 24)
	// The explicit float32() rounds the product first: Go would fuse it
	// into a multiply-add on arm64 and draw different values there.
	return lo + float32(u*(hi-lo))
}

// Float32s returns n values uniform in [lo, hi).
func (r *Rand) Float32s(n int, lo, hi float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32(lo, hi)
	}
	return v
}

// Int8s returns n values uniform over all of int8.
func (r *Rand) Int8s(n int) []int8 {
	v := make([]int8, n)
	for i := range v {
		v[i] = int8(r.Uint64())
	}
	return v
}

// Bytes returns n random bytes.
func (r *Rand) Bytes(n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(r.Uint64())
	}
	return v
}

// FillReference fills raw tensor bytes the way the reference runner's
// --random does: float32 elements uniform in [-1, 1) from 53 random bits,
// every other type byte by byte over its full range. Benchmarks use it so
// that both engines see the same kind of input.
func (r *Rand) FillReference(b []byte, float32Elems bool) {
	if float32Elems {
		for i := 0; i+4 <= len(b); i += 4 {
			// (x/2^53)·2 − 1 for 53 random bits x, computed as one exact
			// integer subtraction and one exact division so no platform can
			// fuse or reorder it: every GOARCH draws the same values.
			d := int64(r.Uint64()>>11) - 1<<52
			f := float32(float64(d) / (1 << 52))
			binary.LittleEndian.PutUint32(b[i:], math.Float32bits(f))
		}
		return
	}
	for i := range b {
		b[i] = byte(r.Uint64())
	}
}
