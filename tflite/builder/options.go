package builder

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// Options describes one operator: its kind and its builtin options. Each
// supported builtin has a struct implementing it (Conv2D, FullyConnected,
// Softmax, ...); the zero value of a field means TFLite's default unless
// the field's doc says otherwise.
type Options interface {
	// Opcode returns the builtin operator these options belong to.
	Opcode() Opcode
	// encode writes the options table, returning its union type and
	// offset; ops without options return schema.BuiltinOptionsNONE.
	encode(fb *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT)
}

// noOptions is embedded by operators that carry no builtin options.
type noOptions struct{}

func (noOptions) encode(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return schema.BuiltinOptionsNONE, 0
}

// emptyTable writes an options table without fields, as converters do for
// ops whose options have none (PadOptions, TransposeOptions, ...).
func emptyTable(fb *flatbuffers.Builder, typ schema.BuiltinOptions) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	fb.StartObject(0)
	return typ, fb.EndObject()
}

// int32Vector writes a vector of int32 values.
func int32Vector(fb *flatbuffers.Builder, v []int32) flatbuffers.UOffsetT {
	fb.StartVector(4, len(v), 4)
	for i := len(v) - 1; i >= 0; i-- {
		fb.PrependInt32(v[i])
	}
	return fb.EndVector(len(v))
}

// orOne returns s, or 1 when s is 0, so that zero-valued option structs
// mean TFLite's usual unit stride and dilation.
func orOne(s int) int32 {
	if s == 0 {
		return 1
	}
	return int32(s)
}
