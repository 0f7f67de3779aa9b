package builder

import "fmt"

// DType is a tensor element type; the values equal TFLite's TensorType enum
// so they can be written to the flatbuffer unchanged.
type DType int8

// Element types a model may declare. The engine runs a subset of them; the
// builder writes any value, so tests can also declare types it refuses.
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

// Size returns the byte size of one element, or 0 for a type the builder
// cannot size (strings, complex numbers, unknown values).
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

// String returns the lower-case TFLite name of the type ("int8").
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

// Activation is a fused activation function; the values equal TFLite's
// ActivationFunctionType enum.
type Activation int8

// Fused activations of TFLite's schema.
const (
	ActNone      Activation = 0
	ActRelu      Activation = 1
	ActReluN1To1 Activation = 2
	ActRelu6     Activation = 3
	ActTanh      Activation = 4
	ActSignBit   Activation = 5
)

// Padding is a convolution or pooling padding mode; the values equal
// TFLite's Padding enum.
type Padding int8

// Padding modes of TFLite's schema.
const (
	Same  Padding = 0
	Valid Padding = 1
)

// Quant holds a tensor's quantization parameters. The zero value means "not
// quantized" (float tensors, int32 shape tensors). Per-tensor quantization
// has one scale; per-axis quantization has one scale per slice along Dim.
type Quant struct {
	Scale     []float32
	ZeroPoint []int64
	// Dim is the quantized dimension of per-axis quantization.
	Dim int
}

// PerTensor returns per-tensor quantization parameters.
func PerTensor(scale float32, zeroPoint int64) Quant {
	return Quant{Scale: []float32{scale}, ZeroPoint: []int64{zeroPoint}}
}

// PerAxis returns per-axis quantization along dim with zero points all 0,
// as TFLite's symmetric int8 weights have.
func PerAxis(dim int, scales []float32) Quant {
	return Quant{Scale: scales, ZeroPoint: make([]int64, len(scales)), Dim: dim}
}

// IsZero reports whether q carries no quantization at all.
func (q Quant) IsZero() bool { return len(q.Scale) == 0 && len(q.ZeroPoint) == 0 }
