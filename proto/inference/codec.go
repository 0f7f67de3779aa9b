package inference

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Encode converts values that a client sent with datatype dt into the
// tensor's raw little-endian bytes. FP32 values for a quantized tensor are
// quantized as TFLite's QUANTIZE op does: q = round(v / scale) + zero_point
// with the division in float32, rounding half away from zero, then clamped
// to the type's range. Raw integer values must be integral and in range.
// The caller has checked the shape; len(values) must equal Elements().
func (s TensorSpec) Encode(values []float64, dt string) ([]byte, error) {
	return s.AppendEncoded(nil, values, dt)
}

// AppendEncoded is Encode appending the tensor's bytes to dst, so servers
// can encode into reused buffers. On error dst is returned unchanged.
func (s TensorSpec) AppendEncoded(dst []byte, values []float64, dt string) ([]byte, error) {
	if err := s.CheckDatatype(dt); err != nil {
		return dst, err
	}
	e, err := lookupElem(s.DType)
	if err != nil {
		return dst, &InputError{Input: s.Name, Field: "datatype", Expected: "a supported tensor type", Got: err.Error()}
	}
	if len(values) != s.Elements() {
		return dst, &InputError{Input: s.Name, Field: "data", Expected: fmt.Sprintf("%d values for shape %v", s.Elements(), s.Shape), Got: fmt.Sprintf("%d values", len(values))}
	}
	start := len(dst)
	dst = slices.Grow(dst, len(values)*e.size)
	out := dst[start : start+len(values)*e.size]
	quantize := dt == DatatypeFP32 && s.Quantized()
	for i, v := range values {
		var q int64
		switch {
		case !e.integer:
			f := float32(v)
			if math.IsInf(float64(f), 0) || math.IsNaN(v) {
				return dst[:start], s.valueError(i, v, "a finite float32")
			}
			binary.LittleEndian.PutUint32(out[i*4:], math.Float32bits(f))
			continue
		case quantize:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return dst[:start], s.valueError(i, v, "a finite number")
			}
			r := math.Round(float64(float32(v) / s.Scale))
			q = int64(math.Max(float64(e.lo), math.Min(float64(e.hi), r+float64(s.ZeroPoint))))
		default:
			if v != math.Trunc(v) || v < float64(e.lo) || v > float64(e.hi) {
				return dst[:start], s.valueError(i, v, fmt.Sprintf("an integer in [%d, %d]", e.lo, e.hi))
			}
			q = int64(v)
		}
		putInt(out[i*e.size:], e.size, q)
	}
	return dst[:start+len(out)], nil
}

func (s TensorSpec) valueError(i int, v float64, want string) error {
	return &InputError{Input: s.Name, Field: fmt.Sprintf("data[%d]", i), Expected: want, Got: strconv.FormatFloat(v, 'g', -1, 64)}
}

func putInt(b []byte, size int, q int64) {
	switch size {
	case 1:
		b[0] = byte(q)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(q))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(q))
	case 8:
		binary.LittleEndian.PutUint64(b, uint64(q))
	}
}

// OutputDatatype is the datatype AppendJSON writes: the raw one when raw is
// set or the tensor is not quantized, FP32 otherwise.
func (s TensorSpec) OutputDatatype(raw bool) string {
	if raw {
		return s.RawDatatype()
	}
	return s.DefaultDatatype()
}

// ElemSize returns the byte size of one element.
func (s TensorSpec) ElemSize() (int, error) {
	e, err := lookupElem(s.DType)
	return e.size, err
}

// AppendJSON appends the tensor's raw little-endian bytes to dst as a JSON
// array: flat when shape is nil, nested by shape otherwise (a scalar for an
// empty shape). Quantized values are dequantized to float32 as TFLite's
// DEQUANTIZE op does (scale * (q - zero_point) in float64, then float32)
// unless raw is set. NaN and infinities, which JSON cannot spell, are
// written as null.
func (s TensorSpec) AppendJSON(dst, data []byte, raw bool, shape []int) ([]byte, error) {
	e, err := lookupElem(s.DType)
	if err != nil {
		return dst, err
	}
	if len(data)%e.size != 0 {
		return dst, fmt.Errorf("output %q: %d bytes is not a whole number of %s elements", s.Name, len(data), s.DType)
	}
	n := len(data) / e.size
	w := elemWriter{e: e, data: data, deq: !raw && s.Quantized(), scale: float64(s.Scale), zp: int64(s.ZeroPoint)}
	if shape == nil {
		return w.flat(dst, n), nil
	}
	want := 1
	for _, d := range shape {
		want *= d
	}
	if want != n {
		return dst, fmt.Errorf("output %q: %d elements do not fill shape %v", s.Name, n, shape)
	}
	return w.nested(dst, shape), nil
}

// flat appends n elements as one JSON array.
func (w *elemWriter) flat(dst []byte, n int) []byte {
	dst = append(dst, '[')
	for j := range n {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = w.next(dst)
	}
	return append(dst, ']')
}

type elemWriter struct {
	e     elem
	data  []byte
	i     int
	deq   bool
	scale float64
	zp    int64
}

func (w *elemWriter) nested(dst []byte, shape []int) []byte {
	if len(shape) == 0 {
		return w.next(dst)
	}
	dst = append(dst, '[')
	for j := 0; j < shape[0]; j++ {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = w.nested(dst, shape[1:])
	}
	return append(dst, ']')
}

// next appends the next element.
func (w *elemWriter) next(dst []byte) []byte {
	b := w.data[w.i*w.e.size:]
	w.i++
	if !w.e.integer {
		return appendFloat32(dst, math.Float32frombits(binary.LittleEndian.Uint32(b)))
	}
	var q int64
	switch w.e.datatype {
	case DatatypeUint8, DatatypeBool:
		q = int64(b[0])
	case DatatypeInt8:
		q = int64(int8(b[0]))
	case DatatypeInt16:
		q = int64(int16(binary.LittleEndian.Uint16(b)))
	case DatatypeInt32:
		q = int64(int32(binary.LittleEndian.Uint32(b)))
	case DatatypeInt64:
		q = int64(binary.LittleEndian.Uint64(b))
	}
	if w.deq {
		return appendFloat32(dst, float32(w.scale*float64(q-w.zp)))
	}
	if w.e.datatype == DatatypeBool {
		return strconv.AppendBool(dst, q != 0)
	}
	return strconv.AppendInt(dst, q, 10)
}

func appendFloat32(dst []byte, f float32) []byte {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, float64(f), 'g', -1, 32)
}
