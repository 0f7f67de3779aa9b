package builder

// Model is a TFLite model spelled out field by field, the builder's
// equivalent of the flatbuffer "object API". Builder.Model produces a
// consistent one; tests that need a deliberately broken file edit its
// fields (out-of-range indices, wrong buffer sizes, missing options, ...)
// and pass it to Encode, which writes exactly what it is given.
type Model struct {
	// Version is the schema version; TFLite expects 3.
	Version     uint32
	Description string
	// OperatorCodes lists the operator kinds; Operator.OpcodeIndex points
	// into it.
	OperatorCodes []OperatorCode
	Subgraphs     []Subgraph
	// Buffers hold constant data; Tensor.Buffer points into it. By TFLite
	// convention Buffers[0] is empty and tensors without data use it.
	Buffers [][]byte
	// OmitIdentifier leaves out the "TFL3" file identifier (for loader
	// tests only; every real model has it).
	OmitIdentifier bool
}

// OperatorCode names one operator kind and its version.
type OperatorCode struct {
	Builtin Opcode
	Version int32
	// Custom is the custom operator's name; set it (with Builtin = Custom)
	// to write a custom op.
	Custom string
}

// Subgraph is one graph of tensors and operators.
type Subgraph struct {
	Name      string
	Tensors   []Tensor
	Inputs    []int32
	Outputs   []int32
	Operators []Operator
}

// Tensor is one tensor declaration.
type Tensor struct {
	Name  string
	Type  DType
	Shape []int32
	// ShapeSignature, when set, is written as shape_signature (-1 marks a
	// dynamic dimension, as converters write for the batch).
	ShapeSignature []int32
	// Buffer indexes Model.Buffers; 0 (the empty buffer) for tensors whose
	// values are computed at run time.
	Buffer     uint32
	Quant      Quant
	IsVariable bool
}

// Operator is one node of a subgraph.
type Operator struct {
	OpcodeIndex uint32
	// Inputs and Outputs index Subgraph.Tensors; -1 marks an omitted
	// optional input.
	Inputs  []int32
	Outputs []int32
	// Options are the builtin options written with the operator; nil writes
	// none. They need not match the operator's kind (loader tests).
	Options Options
}
