package builder

import (
	"errors"
	"fmt"
)

// ErrInvalid marks a graph the Builder refuses to write: a bad shape,
// constant data of the wrong size, an unknown tensor index, a tensor used
// before it is computed. Use Model.Encode to write such graphs on purpose.
var ErrInvalid = errors.New("builder: invalid graph")

// Omitted is the tensor index of an optional operator input left out
// (e.g. a convolution without bias).
const Omitted = -1

// Builder assembles a single-subgraph model. Methods that add tensors and
// operators return indices for later calls; the first mistake is kept and
// reported by Model or Finish, so a graph can be written without checking
// an error after every line.
type Builder struct {
	description string
	tensors     []Tensor
	buffers     [][]byte
	ops         []builtOp
	inputs      []int32
	outputs     []int32
	err         error
}

// builtOp is an operator before operator codes are assigned.
type builtOp struct {
	opts    Options
	inputs  []int32
	outputs []int32
}

// New returns an empty Builder.
func New() *Builder {
	// Buffer 0 stays empty: TFLite's convention for "no data".
	return &Builder{buffers: [][]byte{nil}}
}

// Description sets the model's description string.
func (b *Builder) Description(s string) { b.description = s }

// Err returns the first mistake recorded so far, or nil.
func (b *Builder) Err() error { return b.err }

func (b *Builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
}

// Tensor adds a tensor computed at run time (an operator's output) and
// returns its index.
func (b *Builder) Tensor(name string, t DType, shape []int, q Quant) int {
	s, ok := b.shape(name, shape)
	if !ok {
		s = nil
	}
	b.checkQuant(name, shape, q)
	b.tensors = append(b.tensors, Tensor{Name: name, Type: t, Shape: s, Quant: cloneQuant(q)})
	return len(b.tensors) - 1
}

// Input adds a graph input tensor and returns its index. Inputs are listed
// in the order of the calls.
func (b *Builder) Input(name string, t DType, shape []int, q Quant) int {
	i := b.Tensor(name, t, shape, q)
	b.inputs = append(b.inputs, int32(i))
	return i
}

// Output marks tensors as graph outputs, in order.
func (b *Builder) Output(tensors ...int) {
	for _, t := range tensors {
		if !b.valid(t) {
			b.fail("graph output %d: no such tensor (have %d)", t, len(b.tensors))
			continue
		}
		b.outputs = append(b.outputs, int32(t))
	}
}

// Const adds a constant tensor holding data, raw little-endian bytes of
// exactly shape's element count times t's size, and returns its index. The
// data is copied.
func (b *Builder) Const(name string, t DType, shape []int, data []byte, q Quant) int {
	s, ok := b.shape(name, shape)
	if !ok {
		s = nil
	}
	b.checkQuant(name, shape, q)
	if ok {
		n := 1
		for _, d := range shape {
			n *= d
		}
		switch {
		case t.Size() == 0:
			b.fail("constant %q: type %s has no fixed element size", name, t)
		case len(data) != n*t.Size():
			b.fail("constant %q: %d bytes of data, shape %v of %s needs %d", name, len(data), shape, t, n*t.Size())
		}
	}
	b.buffers = append(b.buffers, append([]byte(nil), data...))
	b.tensors = append(b.tensors, Tensor{
		Name: name, Type: t, Shape: s, Quant: cloneQuant(q),
		Buffer: uint32(len(b.buffers) - 1),
	})
	return len(b.tensors) - 1
}

// Op adds an operator reading inputs and writing outputs (tensor indices;
// Omitted for a left-out optional input) and returns its index. Operators
// run in the order they are added.
func (b *Builder) Op(o Options, inputs, outputs []int) int {
	if o == nil {
		b.fail("op %d: nil options", len(b.ops))
		o = Relu{} // keeps indices consistent; the error is already recorded
	}
	op := builtOp{opts: o}
	for i, t := range inputs {
		if t != Omitted && !b.valid(t) {
			b.fail("op %d (%s): input %d is tensor %d, have %d tensors", len(b.ops), o.Opcode(), i, t, len(b.tensors))
		}
		op.inputs = append(op.inputs, int32(t))
	}
	for i, t := range outputs {
		if !b.valid(t) {
			b.fail("op %d (%s): output %d is tensor %d, have %d tensors", len(b.ops), o.Opcode(), i, t, len(b.tensors))
		}
		op.outputs = append(op.outputs, int32(t))
	}
	b.ops = append(b.ops, op)
	return len(b.ops) - 1
}

func (b *Builder) valid(t int) bool { return t >= 0 && t < len(b.tensors) }

// shape converts a shape to the schema's int32, refusing negative or
// oversized dimensions.
func (b *Builder) shape(name string, shape []int) ([]int32, bool) {
	s := make([]int32, len(shape))
	for i, d := range shape {
		if d < 0 || d > 1<<30 {
			b.fail("tensor %q: dimension %d is %d, want 0..2^30", name, i, d)
			return nil, false
		}
		s[i] = int32(d)
	}
	return s, true
}

func (b *Builder) checkQuant(name string, shape []int, q Quant) {
	switch {
	case q.IsZero():
	case len(q.Scale) == 0:
		b.fail("tensor %q: zero points without scales", name)
	case len(q.ZeroPoint) != len(q.Scale):
		b.fail("tensor %q: %d scales but %d zero points", name, len(q.Scale), len(q.ZeroPoint))
	case len(q.Scale) > 1 && (q.Dim < 0 || q.Dim >= len(shape)):
		b.fail("tensor %q: quantized dimension %d outside rank %d", name, q.Dim, len(shape))
	case len(q.Scale) > 1 && len(q.Scale) != shape[q.Dim]:
		b.fail("tensor %q: %d scales for dimension %d of size %d", name, len(q.Scale), q.Dim, shape[q.Dim])
	}
}

func cloneQuant(q Quant) Quant {
	return Quant{
		Scale:     append([]float32(nil), q.Scale...),
		ZeroPoint: append([]int64(nil), q.ZeroPoint...),
		Dim:       q.Dim,
	}
}
