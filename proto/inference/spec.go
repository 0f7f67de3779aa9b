package inference

import (
	"fmt"
	"slices"
)

// TensorSpec is what the codec needs to know about a model tensor. It
// mirrors manifest.TensorSpec (kept separate so the JSON contract does not
// depend on the signing format).
type TensorSpec struct {
	Name string
	// DType is the TFLite element type name: "int8", "uint8", "int16",
	// "int32", "int64", "float32" or "bool".
	DType     string
	Shape     []int
	Scale     float32
	ZeroPoint int32
}

// Quantized reports whether the tensor holds affine-quantized integers.
func (s TensorSpec) Quantized() bool {
	e, err := lookupElem(s.DType)
	return err == nil && e.integer && s.DType != "bool" && s.Scale != 0
}

// RawDatatype is the v2 datatype that carries the tensor's stored values
// unchanged ("INT8" for an int8 tensor).
func (s TensorSpec) RawDatatype() string {
	e, err := lookupElem(s.DType)
	if err != nil {
		return s.DType
	}
	return e.datatype
}

// DefaultDatatype is the datatype clients send and receive unless they ask
// for raw values: FP32 for float and quantized tensors, the raw datatype
// otherwise.
func (s TensorSpec) DefaultDatatype() string {
	if s.Quantized() {
		return DatatypeFP32
	}
	return s.RawDatatype()
}

// Elements returns the number of elements of the tensor.
func (s TensorSpec) Elements() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

// Shape64 returns the shape as the v2 protocol spells it.
func (s TensorSpec) Shape64() []int64 {
	out := make([]int64, len(s.Shape))
	for i, d := range s.Shape {
		out[i] = int64(d)
	}
	return out
}

// Metadata returns the v2 metadata of the tensor, in its default datatype.
func (s TensorSpec) Metadata() TensorMetadata {
	md := TensorMetadata{Name: s.Name, Datatype: s.DefaultDatatype(), Shape: s.Shape64()}
	if s.Quantized() {
		md.Quantization = &Quantization{Scale: s.Scale, ZeroPoint: s.ZeroPoint}
	}
	return md
}

// InputError reports a request input that does not fit the model: which
// input, which field ("shape", "datatype", "data", "name"), what was
// expected and what came. Servers answer it with 400.
type InputError struct {
	Input    string
	Field    string
	Expected string
	Got      string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("input %q: %s: expected %s, got %s", e.Input, e.Field, e.Expected, e.Got)
}

// Response returns the error as the protocols' JSON error body.
func (e *InputError) Response() ErrorResponse {
	return ErrorResponse{Error: e.Error(), Input: e.Input, Field: e.Field, Expected: e.Expected, Got: e.Got}
}

// CheckShape returns an *InputError unless got equals the tensor's shape.
func (s TensorSpec) CheckShape(got []int) error {
	if !slices.Equal(got, s.Shape) {
		return &InputError{Input: s.Name, Field: "shape", Expected: fmt.Sprint(s.Shape), Got: fmt.Sprint(got)}
	}
	return nil
}

// CheckDatatype returns an *InputError unless a client may send values of
// datatype dt for this tensor: the default datatype or the raw one.
func (s TensorSpec) CheckDatatype(dt string) error {
	if dt == s.DefaultDatatype() || dt == s.RawDatatype() {
		return nil
	}
	want := s.DefaultDatatype()
	if raw := s.RawDatatype(); raw != want {
		want += " or " + raw
	}
	return &InputError{Input: s.Name, Field: "datatype", Expected: want, Got: fmt.Sprintf("%q", dt)}
}
