// Package tensor defines the tensor representation shared by the loader, the
// memory planner and the op kernels.
//
// A Tensor never owns its bytes: constant tensors view the model's buffer and
// the others view the interpreter's arena. Typed views (Int8, Float32, ...)
// reinterpret those bytes in place; the loader guarantees alignment.
package tensor

import (
	"fmt"
	"unsafe"
)

// DType is a tensor element type. The values equal TFLite's TensorType enum.
type DType int8

// Element types the engine knows. Others are refused at load.
const (
	Float32 DType = 0
	Float16 DType = 1
	Int32   DType = 2
	Uint8   DType = 3
	Int64   DType = 4
	Bool    DType = 6
	Int16   DType = 7
	Int8    DType = 9
)

// Size returns the byte size of one element, or 0 for an unsupported type.
func (d DType) Size() int {
	switch d {
	case Int8, Uint8, Bool:
		return 1
	case Float16, Int16:
		return 2
	case Float32, Int32:
		return 4
	case Int64:
		return 8
	}
	return 0
}

// String returns the lower-case TFLite name of the type ("int8", "float32").
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float16:
		return "float16"
	case Int32:
		return "int32"
	case Uint8:
		return "uint8"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	case Int16:
		return "int16"
	case Int8:
		return "int8"
	}
	return fmt.Sprintf("type(%d)", int8(d))
}

// Tensor is one tensor of a subgraph.
type Tensor struct {
	Index int    // index in the subgraph's tensor list
	Name  string // name from the model, for error messages
	Type  DType
	Shape []int
	// Data holds exactly NumElements()*Type.Size() bytes once the tensor is
	// bound (constants at load, activations when an interpreter is made).
	// It is nil in models that are only being validated.
	Data []byte
	// Const reports that Data is a read-only view of the model's buffer.
	Const bool
	// Quantization: Scale and ZeroPoint have one entry for per-tensor
	// quantization and Shape[QuantizedDim] entries for per-axis quantization.
	// Both are empty for float tensors.
	Scale        []float32
	ZeroPoint    []int64
	QuantizedDim int
}

// NumElements returns the product of the shape's dimensions (1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// ByteSize returns NumElements() times the element size.
func (t *Tensor) ByteSize() int { return t.NumElements() * t.Type.Size() }

// Dim returns Shape[i], counting negative i from the end (-1 is the last).
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}

// Quantized reports whether the tensor carries at least one scale.
func (t *Tensor) Quantized() bool { return len(t.Scale) > 0 }

// PerAxis reports whether the tensor has per-axis (per-channel) quantization.
func (t *Tensor) PerAxis() bool { return len(t.Scale) > 1 }

// ScaleAt returns the scale for channel c (the only one if per-tensor).
func (t *Tensor) ScaleAt(c int) float32 {
	if len(t.Scale) == 1 {
		return t.Scale[0]
	}
	return t.Scale[c]
}

// ZeroPointAt returns the zero point for channel c (the only one if
// per-tensor), or 0 when the tensor has none.
func (t *Tensor) ZeroPointAt(c int) int32 {
	switch len(t.ZeroPoint) {
	case 0:
		return 0
	case 1:
		return int32(t.ZeroPoint[0])
	}
	return int32(t.ZeroPoint[c])
}

// Int8 views Data as []int8.
func (t *Tensor) Int8() []int8 { return viewAs[int8](t.Data) }

// Uint8 views Data as []uint8.
func (t *Tensor) Uint8() []uint8 { return t.Data }

// Int16 views Data as []int16.
func (t *Tensor) Int16() []int16 { return viewAs[int16](t.Data) }

// Uint16 views Data as []uint16 (used for float16 bits).
func (t *Tensor) Uint16() []uint16 { return viewAs[uint16](t.Data) }

// Int32 views Data as []int32.
func (t *Tensor) Int32() []int32 { return viewAs[int32](t.Data) }

// Int64 views Data as []int64.
func (t *Tensor) Int64() []int64 { return viewAs[int64](t.Data) }

// Float32 views Data as []float32.
func (t *Tensor) Float32() []float32 { return viewAs[float32](t.Data) }

func viewAs[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b *Tensor) bool {
	if len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	return true
}

// ShapeString formats a shape as "[1,224,224,3]".
func ShapeString(s []int) string {
	b := []byte{'['}
	for i, d := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", d)
	}
	return string(append(b, ']'))
}
