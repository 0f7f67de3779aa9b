package kernel

import "github.com/edgefleet/edgefleet/tflite/internal/schema"

// PadV2Options is PADV2's (empty) options table.
type PadV2Options struct{}

// parsePadV2Options accepts a missing or empty PadV2Options table.
func parsePadV2Options(op *schema.Operator) (PadV2Options, error) {
	if op == nil {
		return PadV2Options{}, nil
	}
	if got := op.BuiltinOptionsType(); got != schema.BuiltinOptionsNONE && got != schema.BuiltinOptionsPadV2Options {
		return PadV2Options{}, errOptionsType(schema.BuiltinOptionsPadV2Options, got)
	}
	return PadV2Options{}, nil
}

// preparePadV2 validates a PADV2 node.
func preparePadV2(n *Node) (Op, error) {
	if _, err := parsePadV2Options(n.Op); err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newPadV2(n, PadV2Options{})
}

// newPadV2 builds PADV2: like PAD, but the pad element is the scalar
// constant_values input, taken raw (TFLite requires it to share the
// output's quantization). Without that input it behaves as PAD.
func newPadV2(n *Node, _ PadV2Options) (Op, error) {
	if err := n.CheckArity(2, 3, 1); err != nil {
		return nil, err
	}
	return newPadding(n, n.Input(2))
}
