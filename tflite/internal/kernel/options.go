package kernel

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// readOptions returns op's builtin options as T, the generated table type
// of options kind want. Options of another kind (including none) or a
// missing table give an optionsTypeError; parsers that accept an operator
// without options check for BuiltinOptionsNONE first.
func readOptions[T any, PT interface {
	*T
	Init([]byte, flatbuffers.UOffsetT)
}](op *schema.Operator, want schema.BuiltinOptions) (*T, error) {
	var tbl flatbuffers.Table
	if got := op.BuiltinOptionsType(); got != want || !op.BuiltinOptions(&tbl) {
		return nil, errOptionsType(want, got)
	}
	o := PT(new(T))
	o.Init(tbl.Bytes, tbl.Pos)
	return (*T)(o), nil
}

// errOptionsType reports a builtin options table of kind got where the
// operator needs want (got == want: the table itself is missing).
func errOptionsType(want, got schema.BuiltinOptions) error {
	return &optionsTypeError{want: optionsName(want), got: optionsName(got)}
}

// optionsName is the schema's name of an options kind, e.g. "AddOptions".
func optionsName(k schema.BuiltinOptions) string {
	if name, ok := schema.EnumNamesBuiltinOptions[k]; ok {
		return name
	}
	return "unknown"
}

// optionsTypeError is returned by option parsers; it wraps ErrInvalid so that
// callers can test for it.
type optionsTypeError struct{ want, got string }

func (e *optionsTypeError) Error() string {
	if e.got == e.want {
		return "builtin options table " + e.want + " is missing"
	}
	return "builtin options are " + e.got + ", want " + e.want
}

func (e *optionsTypeError) Unwrap() error { return ErrInvalid }
