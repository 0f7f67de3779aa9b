package tflite

import (
	"fmt"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// schemaVersion is the only TFLite schema version the format has had since
// 2018; TFLite refuses others.
const schemaVersion = 3

// opcode is one entry of the model's operator_codes table.
type opcode struct {
	code    schema.BuiltinOperator
	version int
	custom  string
}

// loader carries the state of one Load call.
type loader struct {
	r       *fbReader
	m       *Model
	opcodes []opcode
	buffers [][]byte // constant data per buffer index, nil when empty
}

// Load parses and validates a TFLite model and prepares every operator, so
// that models this engine cannot run fail here rather than at Invoke. The
// model keeps referring to buf (constant tensors are views of it, copied
// only when misaligned); buf must not be modified afterwards.
//
// Errors wrap ErrInvalidModel for malformed or inconsistent files and
// ErrUnsupported for operators, types or options the engine does not run.
func Load(buf []byte) (m *Model, err error) {
	// The reader and validation are written never to panic; this is the
	// last line of defence should a bug slip through, because a model file
	// is untrusted input to a long-running agent.
	defer func() {
		if p := recover(); p != nil {
			m = nil
			err = fmt.Errorf("tflite: load: %w: %w: panic: %v", ErrInvalidModel, errPanic, p)
		}
	}()
	l := &loader{r: newFBReader(buf), m: &Model{buf: buf, consts: kernel.NewConstCache()}}
	if err := l.load(); err != nil {
		return nil, fmt.Errorf("tflite: load: %w", err)
	}
	return l.m, nil
}

func (l *loader) load() error {
	root, err := l.r.root("TFL3")
	if err != nil {
		return err
	}
	version, err := root.uint32Field(0, 0, "model version")
	if err != nil {
		return err
	}
	if version != schemaVersion {
		return fmt.Errorf("%w: model schema version %d, want %d", ErrInvalidModel, version, schemaVersion)
	}
	if l.m.description, err = root.str(3, "model description"); err != nil {
		return err
	}
	if err := l.readOpcodes(root); err != nil {
		return err
	}
	if err := l.readBuffers(root); err != nil {
		return err
	}
	subgraphs, err := root.tables(2, "model subgraphs")
	if err != nil {
		return err
	}
	if subgraphs.n == 0 {
		return fmt.Errorf("%w: model has no subgraphs", ErrInvalidModel)
	}
	// Subgraph 0 is the entry point; others only serve control-flow ops,
	// which this engine does not run, so they are not read.
	sg, err := subgraphs.at(0, "subgraph 0")
	if err != nil {
		return err
	}
	if err := l.readSubgraph(sg); err != nil {
		return err
	}
	if err := l.readSignatures(root); err != nil {
		return err
	}
	if err := l.foldConstants(); err != nil {
		return err
	}
	l.fusePads()
	if err := l.prepareOps(); err != nil {
		return err
	}
	l.m.plan, err = planArena(l.m)
	return err
}

func (l *loader) readOpcodes(root fbTable) error {
	codes, err := root.tables(1, "model operator_codes")
	if err != nil {
		return err
	}
	l.opcodes = make([]opcode, codes.n)
	for i := range l.opcodes {
		what := fmt.Sprintf("operator_codes[%d]", i)
		t, err := codes.at(i, what)
		if err != nil {
			return err
		}
		deprecated, err := t.int8Field(0, 0, what)
		if err != nil {
			return err
		}
		custom, err := t.str(1, what)
		if err != nil {
			return err
		}
		version, err := t.int32Field(2, 1, what)
		if err != nil {
			return err
		}
		builtin, err := t.int32Field(3, 0, what)
		if err != nil {
			return err
		}
		// Codes above 127 only fit builtin_code; older files only set the
		// deprecated byte. The larger of the two is the real one.
		l.opcodes[i] = opcode{code: schema.BuiltinOperator(max(int32(deprecated), builtin)), version: int(version), custom: custom}
	}
	return nil
}

func (l *loader) readBuffers(root fbTable) error {
	bufs, err := root.tables(4, "model buffers")
	if err != nil {
		return err
	}
	l.buffers = make([][]byte, bufs.n)
	for i := range l.buffers {
		what := fmt.Sprintf("buffers[%d]", i)
		t, err := bufs.at(i, what)
		if err != nil {
			return err
		}
		data, err := t.bytes(0, what)
		if err != nil {
			return err
		}
		if len(data) > 0 {
			l.buffers[i] = data
			continue
		}
		// Models over 2 GiB keep data after the flatbuffer and point at it
		// with offset/size; offset 1 is the converter's placeholder.
		off, err := t.uint64Field(1, 0, what)
		if err != nil {
			return err
		}
		size, err := t.uint64Field(2, 0, what)
		if err != nil {
			return err
		}
		if off > 1 && size > 0 {
			if !l.r.inRange(off, size) {
				return fmt.Errorf("%w: %s: offset %d size %d outside the %d-byte file", ErrInvalidModel, what, off, size, len(l.r.buf))
			}
			l.buffers[i] = l.r.buf[off : off+size : off+size]
		}
	}
	return nil
}

func (l *loader) readSubgraph(sg fbTable) error {
	tensors, err := sg.tables(0, "subgraph 0 tensors")
	if err != nil {
		return err
	}
	if tensors.n > maxTensors {
		return fmt.Errorf("%w: subgraph 0 has %d tensors, the limit is %d", ErrInvalidModel, tensors.n, maxTensors)
	}
	l.m.tensors = make([]tensor.Tensor, tensors.n)
	for i := range l.m.tensors {
		t, err := tensors.at(i, fmt.Sprintf("tensor %d", i))
		if err != nil {
			return err
		}
		if err := l.readTensor(i, t, &l.m.tensors[i]); err != nil {
			return err
		}
	}
	ins, err := sg.int32s(1, "subgraph 0 inputs")
	if err != nil {
		return err
	}
	outs, err := sg.int32s(2, "subgraph 0 outputs")
	if err != nil {
		return err
	}
	if l.m.inputs, err = l.graphIO(ins, "input"); err != nil {
		return err
	}
	if l.m.outputs, err = l.graphIO(outs, "output"); err != nil {
		return err
	}
	if err := l.readOperators(sg); err != nil {
		return err
	}
	return validateGraph(l.m)
}

// graphIO checks the subgraph's input or output tensor list.
func (l *loader) graphIO(idx []int32, kind string) ([]int, error) {
	out := make([]int, len(idx))
	seen := make(map[int]bool, len(idx))
	for i, ti := range idx {
		if ti < 0 || int(ti) >= len(l.m.tensors) {
			return nil, fmt.Errorf("%w: graph %s %d: tensor index %d out of range [0, %d)", ErrInvalidModel, kind, i, ti, len(l.m.tensors))
		}
		if seen[int(ti)] {
			return nil, fmt.Errorf("%w: graph %s %d: tensor %d listed twice", ErrInvalidModel, kind, i, ti)
		}
		seen[int(ti)] = true
		out[i] = int(ti)
	}
	return out, nil
}

// prepareOps runs every operator's kernel prepare on the load-time tensors
// (constants with data, the rest without), which refuses types and options
// the kernels do not implement.
func (l *loader) prepareOps() error {
	for i := range l.m.exec {
		n := l.m.exec[i].node(l.m.tensors)
		n.Consts, n.Validating = l.m.consts, true
		prepare, ok := kernel.Lookup(n.Code)
		if !ok {
			return fmt.Errorf("op %d (%s): %w: operator not supported", n.Index, opName(n.Code), ErrUnsupported)
		}
		if _, err := prepare(n); err != nil {
			return err
		}
	}
	return nil
}

// opName returns the TFLite name of an operator code.
func opName(code schema.BuiltinOperator) string { return kernel.OpName(code) }
