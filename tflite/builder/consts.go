package builder

import (
	"encoding/binary"
	"math"
)

// ConstInt8 adds an int8 constant tensor.
func (b *Builder) ConstInt8(name string, shape []int, v []int8, q Quant) int {
	data := make([]byte, len(v))
	for i, x := range v {
		data[i] = byte(x)
	}
	return b.Const(name, Int8, shape, data, q)
}

// ConstUint8 adds a uint8 constant tensor.
func (b *Builder) ConstUint8(name string, shape []int, v []uint8, q Quant) int {
	return b.Const(name, Uint8, shape, v, q)
}

// ConstInt32 adds an int32 constant tensor (biases, shapes, axes,
// paddings). Shape nil means a vector of len(v).
func (b *Builder) ConstInt32(name string, shape []int, v []int32, q Quant) int {
	if shape == nil {
		shape = []int{len(v)}
	}
	data := make([]byte, 0, 4*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint32(data, uint32(x))
	}
	return b.Const(name, Int32, shape, data, q)
}

// ConstInt64 adds an int64 constant tensor. Shape nil means a vector of
// len(v).
func (b *Builder) ConstInt64(name string, shape []int, v []int64, q Quant) int {
	if shape == nil {
		shape = []int{len(v)}
	}
	data := make([]byte, 0, 8*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint64(data, uint64(x))
	}
	return b.Const(name, Int64, shape, data, q)
}

// ConstFloat32 adds a float32 constant tensor.
func (b *Builder) ConstFloat32(name string, shape []int, v []float32) int {
	return b.Const(name, Float32, shape, Float32Bytes(v), Quant{})
}

// ConstFloat16 adds a float16 constant tensor holding v rounded to half
// precision (as converters store float16 weights for DEQUANTIZE).
func (b *Builder) ConstFloat16(name string, shape []int, v []float32) int {
	data := make([]byte, 0, 2*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint16(data, Float16Bits(x))
	}
	return b.Const(name, Float16, shape, data, Quant{})
}

// Float32Bytes returns v as little-endian bytes, the layout of a float32
// tensor.
func Float32Bytes(v []float32) []byte {
	data := make([]byte, 0, 4*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
	}
	return data
}

// Int8Bytes returns v as bytes, the layout of an int8 tensor.
func Int8Bytes(v []int8) []byte {
	data := make([]byte, len(v))
	for i, x := range v {
		data[i] = byte(x)
	}
	return data
}

// Float16Bits converts f to IEEE 754 half precision, rounding to nearest
// even; values too large become ±Inf and NaN stays NaN.
func Float16Bits(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int32(bits>>23) & 0xff
	mant := bits & 0x7fffff
	switch {
	case exp == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp-127 > 15: // overflow
		return sign | 0x7c00
	case exp-127 >= -14: // normal half
		half := uint32(exp-127+15)<<10 | mant>>13
		// Round to nearest even on the 13 dropped bits; a carry into the
		// exponent is the correct result (up to Inf).
		rest := mant & 0x1fff
		if rest > 0x1000 || (rest == 0x1000 && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	case exp-127 >= -25: // subnormal half
		m := mant | 0x800000 // implicit leading one
		shift := uint32(-(exp - 127) - 14 + 13)
		half := m >> shift
		rest := m & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rest > mid || (rest == mid && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	}
	return sign // underflow to ±0
}
