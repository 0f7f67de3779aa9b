package builder

// Model checks the graph and returns it as a Model: operator codes
// collected (one per kind and version, in order of first use), versions
// chosen from each operator's first input type. The result is a fresh
// copy; editing it does not affect the Builder.
func (b *Builder) Model() (*Model, error) {
	if b.err != nil {
		return nil, b.err
	}
	if err := b.checkGraph(); err != nil {
		return nil, err
	}
	m := &Model{Version: 3, Description: b.description}
	type codeKey struct {
		op      Opcode
		version int32
	}
	codeIndex := map[codeKey]uint32{}
	sg := Subgraph{
		Name:    "main",
		Tensors: make([]Tensor, len(b.tensors)),
		Inputs:  append([]int32(nil), b.inputs...),
		Outputs: append([]int32(nil), b.outputs...),
	}
	for i, t := range b.tensors {
		t.Shape = append([]int32(nil), t.Shape...)
		t.Quant = cloneQuant(t.Quant)
		sg.Tensors[i] = t
	}
	for _, op := range b.ops {
		in := Float32
		if len(op.inputs) > 0 && op.inputs[0] >= 0 {
			in = b.tensors[op.inputs[0]].Type
		}
		key := codeKey{op.opts.Opcode(), defaultVersion(op.opts.Opcode(), in)}
		idx, ok := codeIndex[key]
		if !ok {
			idx = uint32(len(m.OperatorCodes))
			codeIndex[key] = idx
			m.OperatorCodes = append(m.OperatorCodes, OperatorCode{Builtin: key.op, Version: key.version})
		}
		sg.Operators = append(sg.Operators, Operator{
			OpcodeIndex: idx,
			Inputs:      append([]int32(nil), op.inputs...),
			Outputs:     append([]int32(nil), op.outputs...),
			Options:     op.opts,
		})
	}
	m.Subgraphs = []Subgraph{sg}
	m.Buffers = make([][]byte, len(b.buffers))
	for i, d := range b.buffers {
		m.Buffers[i] = append([]byte(nil), d...)
	}
	return m, nil
}

// Finish checks the graph and returns the .tflite file bytes ("TFL3"
// identifier, schema version 3, buffer 0 empty, constant data 16-byte
// aligned).
func (b *Builder) Finish() ([]byte, error) {
	m, err := b.Model()
	if err != nil {
		return nil, err
	}
	return m.Encode(), nil
}

// checkGraph verifies that every operator input is a constant, a graph
// input or an earlier operator's output, that no tensor is written twice
// or is a written constant, and that every graph output gets a value.
func (b *Builder) checkGraph() error {
	if len(b.outputs) == 0 {
		b.fail("graph has no outputs")
		return b.err
	}
	defined := make([]bool, len(b.tensors))
	for i, t := range b.tensors {
		defined[i] = t.Buffer != 0
	}
	for _, in := range b.inputs {
		if b.tensors[in].Buffer != 0 {
			b.fail("graph input %q is a constant", b.tensors[in].Name)
		}
		defined[in] = true
	}
	for i, op := range b.ops {
		for k, in := range op.inputs {
			if in != Omitted && !defined[in] {
				b.fail("op %d (%s): input %d (tensor %q) is used before any op computes it", i, op.opts.Opcode(), k, b.tensors[in].Name)
			}
		}
		for k, out := range op.outputs {
			switch {
			case b.tensors[out].Buffer != 0:
				b.fail("op %d (%s): output %d (tensor %q) is a constant", i, op.opts.Opcode(), k, b.tensors[out].Name)
			case defined[out]:
				b.fail("op %d (%s): output %d (tensor %q) already has a value", i, op.opts.Opcode(), k, b.tensors[out].Name)
			}
			defined[out] = true
		}
	}
	for _, out := range b.outputs {
		if !defined[out] {
			b.fail("graph output %q is never computed", b.tensors[out].Name)
		}
	}
	return b.err
}
