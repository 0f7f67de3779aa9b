// Package kernel holds one file per TFLite builtin operator. Each operator
// has a prepare function that validates its tensors (types, shapes,
// quantization) and precomputes what evaluation needs (multipliers, shifts,
// lookup tables), returning an Op whose Eval runs the arithmetic without
// allocating.
//
// Prepare runs twice in a model's life: at Load, on tensors without data, to
// refuse unsupported models early; and at NewInterpreter, on tensors bound to
// that interpreter's arena. Eval reads and writes Node.Inputs/Outputs data.
package kernel

import (
	"errors"
	"fmt"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ErrUnsupported marks operators, types or options this engine does not run.
// Callers test for it with errors.Is.
var ErrUnsupported = errors.New("unsupported")

// ErrInvalid marks models whose operator arguments are inconsistent.
var ErrInvalid = errors.New("invalid model")

// Node is one operator of a subgraph with its tensors resolved.
type Node struct {
	Index   int // position in the subgraph's operator list
	Code    schema.BuiltinOperator
	Version int
	// Inputs and Outputs follow the operator's tensor order; an optional
	// input the model leaves out (index -1) is nil.
	Inputs  []*tensor.Tensor
	Outputs []*tensor.Tensor
	// Op is the operator's flatbuffer table, for builtin options. It is nil
	// in hand-built unit tests; option parsers then return defaults.
	Op *schema.Operator
	// Pool lets a kernel split its work across the interpreter's worker
	// goroutines; nil runs everything on the calling goroutine.
	Pool *parallel.Pool
	// Consts shares data derived from constant tensors (packed weights)
	// between all interpreters of one Model; nil disables sharing.
	Consts *ConstCache
	// Validating is set while the loader only checks the model: kernels
	// must not build packed weight copies then (they would be built for
	// nothing, or for an interpreter that asks for LowMemory).
	Validating bool
	// InputPad, set by the loader on a convolution whose input it takes
	// straight from a PAD it removed, pads input 0 virtually by these
	// amounts with the input zero point, before the op's own (VALID)
	// padding. Convolutions skip padding taps, which adds the same as
	// zero-point values for quantized inputs, so no copy is needed.
	InputPad *InputPad
	// Scratch is the interpreter's memory for what operators need only
	// while they run (see Scratch); nil gives each operator its own.
	Scratch *Scratch
	// LowMemory asks integer kernels to run the reference loops on the
	// model's own weights instead of a packed copy. Integer results are
	// identical on every path; float kernels ignore it so float outputs
	// stay bit-identical.
	LowMemory bool
}

// splitCopyBytes is the output size from which operators that only move
// data (PAD, TRANSPOSE) split their work across the pool; below it a
// hand-off costs more than the copy.
const splitCopyBytes = 64 << 10

// InputPad is a spatial padding of an NHWC input (see Node.InputPad).
type InputPad struct{ Top, Bottom, Left, Right int }

// FusesInputPad reports whether node n (an op the loader has not
// prepared yet) can take its input 0 padded by a removed PAD: a quantized
// CONV_2D or DEPTHWISE_CONV_2D with VALID padding.
func FusesInputPad(n *Node) bool {
	var padding schema.Padding
	switch n.Code {
	case schema.BuiltinOperatorCONV_2D:
		o, err := parseConv2DOptions(n.Op)
		if err != nil {
			return false
		}
		padding = o.Padding
	case schema.BuiltinOperatorDEPTHWISE_CONV_2D:
		o, err := parseDepthwiseConv2DOptions(n.Op)
		if err != nil {
			return false
		}
		padding = o.Padding
	default:
		return false
	}
	in := n.Inputs[0]
	return padding == schema.PaddingVALID && in != nil && in.Quantized() && (in.Type == tensor.Int8 || in.Type == tensor.Uint8)
}

// Op is a prepared operator, ready to run.
type Op interface {
	// Eval computes the outputs from the inputs. It must not allocate.
	Eval() error
}

// PrepareFunc validates a node and returns its prepared Op.
type PrepareFunc func(n *Node) (Op, error)

// Lookup returns the prepare function for a builtin operator code.
func Lookup(code schema.BuiltinOperator) (PrepareFunc, bool) {
	switch code {
	case schema.BuiltinOperatorCONV_2D:
		return prepareConv2D, true
	case schema.BuiltinOperatorDEPTHWISE_CONV_2D:
		return prepareDepthwiseConv2D, true
	case schema.BuiltinOperatorFULLY_CONNECTED:
		return prepareFullyConnected, true
	case schema.BuiltinOperatorAVERAGE_POOL_2D:
		return prepareAveragePool2D, true
	case schema.BuiltinOperatorMAX_POOL_2D:
		return prepareMaxPool2D, true
	case schema.BuiltinOperatorSOFTMAX:
		return prepareSoftmax, true
	case schema.BuiltinOperatorRESHAPE:
		return prepareReshape, true
	case schema.BuiltinOperatorSQUEEZE:
		return prepareSqueeze, true
	case schema.BuiltinOperatorADD:
		return prepareAdd, true
	case schema.BuiltinOperatorSUB:
		return prepareSub, true
	case schema.BuiltinOperatorMUL:
		return prepareMul, true
	case schema.BuiltinOperatorPAD:
		return preparePad, true
	case schema.BuiltinOperatorPADV2:
		return preparePadV2, true
	case schema.BuiltinOperatorMEAN:
		return prepareMean, true
	case schema.BuiltinOperatorTRANSPOSE:
		return prepareTranspose, true
	case schema.BuiltinOperatorCONCATENATION:
		return prepareConcatenation, true
	case schema.BuiltinOperatorQUANTIZE:
		return prepareQuantize, true
	case schema.BuiltinOperatorDEQUANTIZE:
		return prepareDequantize, true
	case schema.BuiltinOperatorRELU:
		return prepareRelu, true
	case schema.BuiltinOperatorRELU6:
		return prepareRelu6, true
	case schema.BuiltinOperatorLOGISTIC:
		return prepareLogistic, true
	case schema.BuiltinOperatorTANH:
		return prepareTanh, true
	case schema.BuiltinOperatorHARD_SWISH:
		return prepareHardSwish, true
	case schema.BuiltinOperatorLEAKY_RELU:
		return prepareLeakyRelu, true
	case schema.BuiltinOperatorRESIZE_BILINEAR:
		return prepareResizeBilinear, true
	case schema.BuiltinOperatorRESIZE_NEAREST_NEIGHBOR:
		return prepareResizeNearestNeighbor, true
	case schema.BuiltinOperatorSTRIDED_SLICE:
		return prepareStridedSlice, true
	case schema.BuiltinOperatorARG_MAX:
		return prepareArgMax, true
	case schema.BuiltinOperatorPRELU:
		return preparePrelu, true
	}
	return nil, false
}

// OpName returns the TFLite name of an operator code ("CONV_2D").
func OpName(code schema.BuiltinOperator) string {
	if name, ok := schema.EnumNamesBuiltinOperator[code]; ok {
		return name
	}
	return fmt.Sprintf("BUILTIN_%d", int32(code))
}

// Errorf returns an error that names the node ("op 3 (CONV_2D): ..."), wraps
// ErrInvalid and any %w argument.
func (n *Node) Errorf(format string, args ...any) error {
	return fmt.Errorf("op %d (%s): %w: %w", n.Index, OpName(n.Code), ErrInvalid, fmt.Errorf(format, args...))
}

// Unsupportedf returns an error that names the node and wraps ErrUnsupported.
func (n *Node) Unsupportedf(format string, args ...any) error {
	return fmt.Errorf("op %d (%s): %w: %w", n.Index, OpName(n.Code), ErrUnsupported, fmt.Errorf(format, args...))
}

// CheckArity verifies the number of inputs (at least minIn, at most maxIn)
// and outputs, and that every required input (the first minIn) is present.
func (n *Node) CheckArity(minIn, maxIn, outs int) error {
	if len(n.Inputs) < minIn || len(n.Inputs) > maxIn {
		if minIn == maxIn {
			return n.Errorf("has %d inputs, want %d", len(n.Inputs), minIn)
		}
		return n.Errorf("has %d inputs, want %d to %d", len(n.Inputs), minIn, maxIn)
	}
	for i := 0; i < minIn; i++ {
		if n.Inputs[i] == nil {
			return n.Errorf("required input %d is missing", i)
		}
	}
	if len(n.Outputs) != outs {
		return n.Errorf("has %d outputs, want %d", len(n.Outputs), outs)
	}
	for i, t := range n.Outputs {
		if t == nil {
			return n.Errorf("output %d is missing", i)
		}
	}
	return nil
}

// Input returns input i or nil when it is absent (optional or out of range).
func (n *Node) Input(i int) *tensor.Tensor {
	if i < len(n.Inputs) {
		return n.Inputs[i]
	}
	return nil
}
