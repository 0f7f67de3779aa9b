// Package tflite runs TensorFlow Lite flatbuffer models (int8, uint8 and
// float32) in pure Go.
//
// Load parses and validates a model once; the Model is immutable and may be
// shared by many Interpreters, each of which owns one activation arena and
// runs on one goroutine at a time:
//
//	m, err := tflite.Load(buf)
//	it, err := tflite.NewInterpreter(m, tflite.Options{})
//	_ = it.Input(0).CopyFrom(input)
//	err = it.Invoke(ctx)
//	out := it.Output(0).Int8()
package tflite

import (
	"maps"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// DType is a tensor element type; the values equal TFLite's TensorType.
type DType = tensor.DType

// Element types a model's tensors may have.
const (
	Float32 = tensor.Float32
	Float16 = tensor.Float16
	Int32   = tensor.Int32
	Uint8   = tensor.Uint8
	Int64   = tensor.Int64
	Bool    = tensor.Bool
	Int16   = tensor.Int16
	Int8    = tensor.Int8
)

// TensorInfo describes a graph input or output.
type TensorInfo struct {
	Name  string
	Type  DType
	Shape []int
	// Scale and ZeroPoint are the per-tensor quantization parameters (the
	// first entry of Scales/ZeroPoints), 0 when the tensor has none.
	Scale     float32
	ZeroPoint int32
	// Scales and ZeroPoints hold every quantization entry; more than one
	// means per-axis quantization along QuantizedDim.
	Scales       []float32
	ZeroPoints   []int64
	QuantizedDim int
}

// OpInfo describes one operator of the graph, in execution order.
type OpInfo struct {
	Index   int
	Name    string // TFLite builtin name, e.g. "CONV_2D"
	Version int
}

// Signature is a named entry point of the model (TFLite SignatureDef).
type Signature struct {
	Key string
	// Inputs and Outputs map a signature name to an index into
	// Model.Inputs() / Model.Outputs().
	Inputs  map[string]int
	Outputs map[string]int
}

// Model is a loaded, validated TFLite model. It is immutable after Load and
// safe for concurrent use. It keeps referring to the buffer given to Load,
// which the caller must not modify afterwards.
type Model struct {
	buf         []byte
	description string
	// tensors of subgraph 0: constants carry their data, the others none.
	tensors    []tensor.Tensor
	inputs     []int    // tensor indices of the graph inputs
	outputs    []int    // tensor indices of the graph outputs
	ops        []opNode // every operator, for Ops()
	exec       []opNode // the operators Invoke runs: ops minus folded constants
	plan       arenaPlan
	signatures []Signature
	// consts holds what kernels derive from constant tensors (packed
	// weights), built by Load's prepare and shared by every interpreter.
	consts *kernel.ConstCache
}

// opNode is one operator with its tensor indices resolved and validated.
type opNode struct {
	index   int
	code    schema.BuiltinOperator
	version int
	inputs  []int // -1 marks an omitted optional input
	outputs []int
	op      *schema.Operator // verified table, for the kernels' options
	// inputPad is the padding of a PAD fused into this op (fusePads).
	inputPad *kernel.InputPad
}

// Inputs describes the graph inputs in subgraph order.
func (m *Model) Inputs() []TensorInfo { return m.infos(m.inputs) }

// Outputs describes the graph outputs in subgraph order.
func (m *Model) Outputs() []TensorInfo { return m.infos(m.outputs) }

func (m *Model) infos(idx []int) []TensorInfo {
	out := make([]TensorInfo, len(idx))
	for i, ti := range idx {
		out[i] = infoOf(&m.tensors[ti])
	}
	return out
}

// infoOf copies a tensor's description so callers cannot alter the model.
func infoOf(t *tensor.Tensor) TensorInfo {
	info := TensorInfo{
		Name:         t.Name,
		Type:         t.Type,
		Shape:        append([]int(nil), t.Shape...),
		Scales:       append([]float32(nil), t.Scale...),
		ZeroPoints:   append([]int64(nil), t.ZeroPoint...),
		QuantizedDim: t.QuantizedDim,
	}
	if len(t.Scale) > 0 {
		info.Scale = t.Scale[0]
		info.ZeroPoint = t.ZeroPointAt(0)
	}
	return info
}

// Ops lists the operators in execution order.
func (m *Model) Ops() []OpInfo {
	out := make([]OpInfo, len(m.ops))
	for i, n := range m.ops {
		out[i] = OpInfo{Index: n.index, Name: opName(n.code), Version: n.version}
	}
	return out
}

// ArenaSize returns the bytes of the activation arena each Interpreter
// allocates.
func (m *Model) ArenaSize() int { return m.plan.size }

// Signatures lists the model's signature definitions for its main
// subgraph; nil when the model has none.
func (m *Model) Signatures() []Signature {
	if len(m.signatures) == 0 {
		return nil
	}
	out := make([]Signature, len(m.signatures))
	for i, s := range m.signatures {
		out[i] = Signature{Key: s.Key, Inputs: maps.Clone(s.Inputs), Outputs: maps.Clone(s.Outputs)}
	}
	return out
}

// Description returns the model's description string (often the converter
// name, e.g. "MLIR Converted.").
func (m *Model) Description() string { return m.description }
