package tflite

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Limits that keep sizes computed from an untrusted file far from integer
// overflow, on 32-bit targets too, before anything is allocated from them.
const (
	maxRank        = 16
	maxTensorBytes = 1 << 29
	maxArenaBytes  = 1 << 30
	// maxTensors and maxOps bound the planner's quadratic placement on
	// hostile files; real models have a few thousand at most.
	maxTensors = 1 << 16
	maxOps     = 1 << 16
)

// readTensor fills t from the flatbuffer tensor table i of subgraph 0.
func (l *loader) readTensor(i int, tt fbTable, t *tensor.Tensor) error {
	what := fmt.Sprintf("tensor %d", i)
	name, err := tt.str(3, what)
	if err != nil {
		return err
	}
	t.Index, t.Name = i, name
	what = fmt.Sprintf("tensor %d (%q)", i, name)
	typ, err := tt.int8Field(1, 0, what)
	if err != nil {
		return err
	}
	t.Type = tensor.DType(typ)
	if t.Type.Size() == 0 {
		typeName, ok := schema.EnumNamesTensorType[schema.TensorType(typ)]
		if !ok {
			typeName = fmt.Sprintf("type %d", typ)
		}
		return fmt.Errorf("%s: %w: element type %s", what, ErrUnsupported, typeName)
	}
	if err := l.readShape(tt, t, what); err != nil {
		return err
	}
	if v, err := tt.boolField(5, what); err != nil {
		return err
	} else if v {
		return fmt.Errorf("%s: %w: variable (stateful) tensors", what, ErrUnsupported)
	}
	if _, ok, err := tt.table(6, what+" sparsity"); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%s: %w: sparse tensors", what, ErrUnsupported)
	}
	if err := l.readQuantization(tt, t, what); err != nil {
		return err
	}
	return l.bindConstant(tt, t, what)
}

func (l *loader) readShape(tt fbTable, t *tensor.Tensor, what string) error {
	shape, err := tt.int32s(0, what+" shape")
	if err != nil {
		return err
	}
	if len(shape) > maxRank {
		return fmt.Errorf("%w: %s: rank %d exceeds the limit of %d", ErrInvalidModel, what, len(shape), maxRank)
	}
	t.Shape = make([]int, len(shape))
	bytes := int64(t.Type.Size())
	for d, v := range shape {
		if v < 0 {
			return fmt.Errorf("%w: %s: dimension %d is %d (dynamic or negative shapes are not supported)", ErrInvalidModel, what, d, v)
		}
		t.Shape[d] = int(v)
		bytes *= int64(v)
		if bytes > maxTensorBytes {
			return fmt.Errorf("%w: %s: shape %v exceeds the %d-byte tensor limit", ErrInvalidModel, what, shape, maxTensorBytes)
		}
	}
	return nil
}

func (l *loader) readQuantization(tt fbTable, t *tensor.Tensor, what string) error {
	q, ok, err := tt.table(4, what+" quantization")
	if err != nil || !ok {
		return err
	}
	what += " quantization"
	details, err := q.uint8Field(4, 0, what)
	if err != nil {
		return err
	}
	if details != 0 {
		return fmt.Errorf("%s: %w: custom quantization details", what, ErrUnsupported)
	}
	scale, err := q.float32s(2, what+" scale")
	if err != nil {
		return err
	}
	zp, err := q.int64s(3, what+" zero_point")
	if err != nil {
		return err
	}
	dim, err := q.int32Field(6, 0, what)
	if err != nil {
		return err
	}
	if len(scale) == 0 {
		// Float tensor, or min/max only; TFLite ignores a lone zero point.
		return nil
	}
	if len(zp) != len(scale) && len(zp) != 1 {
		return fmt.Errorf("%w: %s: %d zero points for %d scales (want %d or 1)", ErrInvalidModel, what, len(zp), len(scale), len(scale))
	}
	if len(scale) > 1 {
		if dim < 0 || int(dim) >= len(t.Shape) {
			return fmt.Errorf("%w: %s: quantized_dimension %d out of range for rank %d", ErrInvalidModel, what, dim, len(t.Shape))
		}
		if t.Shape[dim] != len(scale) {
			return fmt.Errorf("%w: %s: %d scales for dimension %d of size %d", ErrInvalidModel, what, len(scale), dim, t.Shape[dim])
		}
	}
	for c, s := range scale {
		// Zero, negative or non-finite scales only lead to divisions by
		// zero and garbage multipliers in the kernels.
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("%w: %s: scale[%d] = %v, want a finite positive number", ErrInvalidModel, what, c, s)
		}
	}
	lo, hi := zeroPointRange(t.Type)
	for c, z := range zp {
		if z < lo || z > hi {
			return fmt.Errorf("%w: %s: zero_point[%d] = %d outside [%d, %d] of %s", ErrInvalidModel, what, c, z, lo, hi, t.Type)
		}
	}
	t.Scale, t.ZeroPoint, t.QuantizedDim = scale, zp, int(dim)
	return nil
}

// zeroPointRange returns the values a zero point of type d may take: the
// type's own range for integer types.
func zeroPointRange(d tensor.DType) (lo, hi int64) {
	switch d {
	case tensor.Int8:
		return math.MinInt8, math.MaxInt8
	case tensor.Uint8:
		return 0, math.MaxUint8
	case tensor.Int16:
		return math.MinInt16, math.MaxInt16
	case tensor.Int32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// bindConstant points a tensor with a non-empty buffer at its data.
func (l *loader) bindConstant(tt fbTable, t *tensor.Tensor, what string) error {
	bi, err := tt.uint32Field(2, 0, what)
	if err != nil {
		return err
	}
	if uint64(bi) >= uint64(len(l.buffers)) {
		return fmt.Errorf("%w: %s: buffer index %d out of range [0, %d)", ErrInvalidModel, what, bi, len(l.buffers))
	}
	data := l.buffers[bi]
	if len(data) == 0 {
		return nil // computed at run time
	}
	if len(data) != t.ByteSize() {
		return fmt.Errorf("%w: %s: buffer %d holds %d bytes, shape %s of %s needs %d",
			ErrInvalidModel, what, bi, len(data), tensor.ShapeString(t.Shape), t.Type, t.ByteSize())
	}
	t.Const = true
	t.Data = alignedView(data, t.Type.Size())
	return nil
}

// alignedView returns data itself when it is aligned for elements of size
// bytes, or an aligned copy, so typed views never straddle alignment.
func alignedView(data []byte, size int) []byte {
	if uintptr(unsafe.Pointer(unsafe.SliceData(data)))%uintptr(size) == 0 {
		return data
	}
	return alignedBytes(len(data), data)
}

// alignedBytes allocates n bytes aligned to 8 (enough for every element
// type) and copies src into them.
func alignedBytes(n int, src []byte) []byte {
	if n == 0 {
		return nil
	}
	words := make([]uint64, (n+7)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n)
	copy(b, src)
	return b[:n:n]
}
