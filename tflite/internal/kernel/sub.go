package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// SubOptions are SUB's builtin options.
type SubOptions struct {
	Activation schema.ActivationFunctionType
}

// parseSubOptions reads SUB options; a nil operator or one without options
// means no fused activation.
func parseSubOptions(op *schema.Operator) (SubOptions, error) {
	var opts SubOptions
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return opts, nil
	}
	o, err := readOptions[schema.SubOptions](op, schema.BuiltinOptionsSubOptions)
	if err != nil {
		return opts, err
	}
	opts.Activation = o.FusedActivationFunction()
	return opts, nil
}

// prepareSub validates a SUB node and prepares its kernel.
func prepareSub(n *Node) (Op, error) {
	opts, err := parseSubOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("options: %w", err)
	}
	return newSub(n, opts)
}

// newSub prepares SUB: out = a − b with broadcasting, for float32, int8 and
// uint8 tensors. The quantized path is ADD's with the second scaled input
// subtracted (TFLite 2.2's SubElementwise).
func newSub(n *Node, opts SubOptions) (Op, error) {
	return newAddSub(n, opts.Activation, true)
}
