package tflite

import (
	"fmt"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// optionsFieldBytes bounds the width of any scalar in a builtin options
// table, so every declared field can be read without leaving the buffer.
const optionsFieldBytes = 8

// readOperators reads subgraph 0's operators, checking opcode and tensor
// indices and the options tables the kernels will read.
func (l *loader) readOperators(sg fbTable) error {
	ops, err := sg.tables(3, "subgraph 0 operators")
	if err != nil {
		return err
	}
	if ops.n > maxOps {
		return fmt.Errorf("%w: subgraph 0 has %d operators, the limit is %d", ErrInvalidModel, ops.n, maxOps)
	}
	l.m.ops = make([]opNode, ops.n)
	for i := range l.m.ops {
		what := fmt.Sprintf("op %d", i)
		t, err := ops.at(i, what)
		if err != nil {
			return err
		}
		if err := l.readOperator(i, t, &l.m.ops[i]); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) readOperator(i int, t fbTable, n *opNode) error {
	what := fmt.Sprintf("op %d", i)
	oi, err := t.uint32Field(0, 0, what)
	if err != nil {
		return err
	}
	if uint64(oi) >= uint64(len(l.opcodes)) {
		return fmt.Errorf("%w: %s: opcode_index %d out of range [0, %d)", ErrInvalidModel, what, oi, len(l.opcodes))
	}
	oc := l.opcodes[oi]
	n.index, n.code, n.version = i, oc.code, oc.version
	what = fmt.Sprintf("op %d (%s)", i, opName(oc.code))
	if oc.code == schema.BuiltinOperatorCUSTOM {
		return fmt.Errorf("op %d (CUSTOM %q): %w: custom operators", i, oc.custom, ErrUnsupported)
	}
	if _, ok := kernel.Lookup(oc.code); !ok {
		return fmt.Errorf("%s: %w: operator not supported", what, ErrUnsupported)
	}
	ins, err := t.int32s(1, what+" inputs")
	if err != nil {
		return err
	}
	outs, err := t.int32s(2, what+" outputs")
	if err != nil {
		return err
	}
	if n.inputs, err = l.tensorRefs(ins, what, "input", true); err != nil {
		return err
	}
	if n.outputs, err = l.tensorRefs(outs, what, "output", false); err != nil {
		return err
	}
	// Options tables: 3/4 are builtin_options_type/builtin_options, 11/12
	// the builtin_options_2 pair of newer operators.
	for _, f := range [][2]int{{3, 4}, {11, 12}} {
		if err := l.checkOptions(t, f[0], f[1], what); err != nil {
			return err
		}
	}
	n.op = new(schema.Operator)
	n.op.Init(l.r.buf, flatbuffers.UOffsetT(t.pos))
	return nil
}

// tensorRefs checks an operator's tensor index list.
func (l *loader) tensorRefs(idx []int32, what, kind string, optional bool) ([]int, error) {
	out := make([]int, len(idx))
	for k, ti := range idx {
		if ti == -1 && optional {
			out[k] = -1
			continue
		}
		if ti < 0 || int(ti) >= len(l.m.tensors) {
			return nil, fmt.Errorf("%w: %s: %s %d: tensor index %d out of range [0, %d)", ErrInvalidModel, what, kind, k, ti, len(l.m.tensors))
		}
		out[k] = int(ti)
	}
	return out, nil
}

// checkOptions verifies an operator's options union (type field typeID,
// table field tableID).
func (l *loader) checkOptions(t fbTable, typeID, tableID int, what string) error {
	typ, err := t.uint8Field(typeID, 0, what)
	if err != nil {
		return err
	}
	opts, ok, err := t.table(tableID, what+" options")
	if err != nil || !ok {
		return err
	}
	if err := opts.checkFieldsWithin(optionsFieldBytes, what+" options"); err != nil {
		return err
	}
	// The only options of supported operators that hold vectors; the
	// kernels read them through the generated accessors.
	if tableID == 4 {
		switch schema.BuiltinOptions(typ) {
		case schema.BuiltinOptionsReshapeOptions, schema.BuiltinOptionsSqueezeOptions:
			if _, err := opts.vector(0, 4, what+" options"); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateGraph checks that the operators run in a valid order: every
// input is a constant, a graph input or the output of an earlier operator,
// no tensor is written twice, and every graph output gets a value.
func validateGraph(m *Model) error {
	defined := make([]bool, len(m.tensors))
	for i := range m.tensors {
		defined[i] = m.tensors[i].Const
	}
	for _, ti := range m.inputs {
		if m.tensors[ti].Const {
			return fmt.Errorf("%w: graph input tensor %d (%q) is a constant", ErrInvalidModel, ti, m.tensors[ti].Name)
		}
		defined[ti] = true
	}
	for i := range m.ops {
		n := &m.ops[i]
		for k, ti := range n.inputs {
			if ti >= 0 && !defined[ti] {
				return fmt.Errorf("%w: op %d (%s): input %d reads tensor %d (%q) before any op writes it",
					ErrInvalidModel, n.index, opName(n.code), k, ti, m.tensors[ti].Name)
			}
		}
		for k, ti := range n.outputs {
			if defined[ti] {
				return fmt.Errorf("%w: op %d (%s): output %d writes tensor %d (%q), which is a constant, a graph input or already written",
					ErrInvalidModel, n.index, opName(n.code), k, ti, m.tensors[ti].Name)
			}
			defined[ti] = true
		}
	}
	for k, ti := range m.outputs {
		if !defined[ti] {
			return fmt.Errorf("%w: graph output %d: tensor %d (%q) is never written", ErrInvalidModel, k, ti, m.tensors[ti].Name)
		}
	}
	return nil
}

// node builds the kernel's view of this operator over the given tensors.
func (n *opNode) node(tensors []tensor.Tensor) *kernel.Node {
	kn := &kernel.Node{
		Index:    n.index,
		Code:     n.code,
		Version:  n.version,
		Inputs:   make([]*tensor.Tensor, len(n.inputs)),
		Outputs:  make([]*tensor.Tensor, len(n.outputs)),
		Op:       n.op,
		InputPad: n.inputPad,
	}
	for k, ti := range n.inputs {
		if ti >= 0 {
			kn.Inputs[k] = &tensors[ti]
		}
	}
	for k, ti := range n.outputs {
		kn.Outputs[k] = &tensors[ti]
	}
	return kn
}
