package tflite

import (
	"fmt"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Tensor is a graph input or output of an Interpreter. Its data views the
// interpreter's arena (or the model's buffer for a constant output); the
// typed accessors return views, not copies, and nil when the tensor has a
// different element type.
type Tensor struct {
	t *tensor.Tensor
}

// Info describes the tensor.
func (t *Tensor) Info() TensorInfo { return infoOf(t.t) }

// Name returns the tensor's name in the model.
func (t *Tensor) Name() string { return t.t.Name }

// Type returns the element type.
func (t *Tensor) Type() DType { return t.t.Type }

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return append([]int(nil), t.t.Shape...) }

// NumElements returns the product of the shape's dimensions.
func (t *Tensor) NumElements() int { return t.t.NumElements() }

// Bytes returns the raw little-endian bytes of the tensor.
func (t *Tensor) Bytes() []byte { return t.t.Data }

// Int8 returns the data of an int8 tensor.
func (t *Tensor) Int8() []int8 {
	if t.t.Type != tensor.Int8 {
		return nil
	}
	return t.t.Int8()
}

// Uint8 returns the data of a uint8 tensor.
func (t *Tensor) Uint8() []uint8 {
	if t.t.Type != tensor.Uint8 {
		return nil
	}
	return t.t.Uint8()
}

// Int16 returns the data of an int16 tensor.
func (t *Tensor) Int16() []int16 {
	if t.t.Type != tensor.Int16 {
		return nil
	}
	return t.t.Int16()
}

// Int32 returns the data of an int32 tensor.
func (t *Tensor) Int32() []int32 {
	if t.t.Type != tensor.Int32 {
		return nil
	}
	return t.t.Int32()
}

// Int64 returns the data of an int64 tensor.
func (t *Tensor) Int64() []int64 {
	if t.t.Type != tensor.Int64 {
		return nil
	}
	return t.t.Int64()
}

// Float32 returns the data of a float32 tensor.
func (t *Tensor) Float32() []float32 {
	if t.t.Type != tensor.Float32 {
		return nil
	}
	return t.t.Float32()
}

// CopyFrom sets the tensor's bytes; src must hold exactly the tensor's
// byte size (raw little-endian, C order).
func (t *Tensor) CopyFrom(src []byte) error {
	if t.t.Const {
		return fmt.Errorf("tflite: tensor %q is a model constant and cannot be written", t.t.Name)
	}
	if len(src) != len(t.t.Data) {
		return fmt.Errorf("tflite: tensor %q (%s %s): got %d bytes, want %d",
			t.t.Name, t.t.Type, tensor.ShapeString(t.t.Shape), len(src), len(t.t.Data))
	}
	copy(t.t.Data, src)
	return nil
}
