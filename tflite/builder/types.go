package builder

import "github.com/edgefleet/edgefleet/tflite/internal/tensor"

// DType is a tensor element type; the values equal TFLite's TensorType enum
// so they can be written to the flatbuffer unchanged. It is the engine's own
// type (tflite.DType), so a builder's tensors compare directly with what a
// loaded model reports.
type DType = tensor.DType

// Element types a model may declare. The engine runs a subset of them; the
// builder writes any DType value, so tests can also declare types it refuses.
const (
	Float32 = tensor.Float32
	Float16 = tensor.Float16
	Int32   = tensor.Int32
	Uint8   = tensor.Uint8
	Int64   = tensor.Int64
	Bool    = tensor.Bool
	Int16   = tensor.Int16
	Int8    = tensor.Int8
)

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
