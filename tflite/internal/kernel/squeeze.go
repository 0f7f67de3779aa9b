package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// SqueezeOptions holds SQUEEZE's squeeze_dims option.
type SqueezeOptions struct {
	// Dims lists the axes to drop (negative counts from the end); empty
	// means every axis of size 1.
	Dims []int
}

// parseSqueezeOptions reads SqueezeOptions; a missing table means squeeze
// every axis of size 1.
func parseSqueezeOptions(op *schema.Operator) (SqueezeOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return SqueezeOptions{}, nil
	}
	o, err := readOptions[schema.SqueezeOptions](op, schema.BuiltinOptionsSqueezeOptions)
	if err != nil {
		return SqueezeOptions{}, err
	}
	opts := SqueezeOptions{Dims: make([]int, o.SqueezeDimsLength())}
	for i := range opts.Dims {
		opts.Dims[i] = int(o.SqueezeDims(i))
	}
	return opts, nil
}

// prepareSqueeze validates a SQUEEZE node.
func prepareSqueeze(n *Node) (Op, error) {
	opts, err := parseSqueezeOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newSqueeze(n, opts)
}

// newSqueeze checks the axes (each must have size 1, as TFLite requires)
// and that the output shape is the input's without them.
func newSqueeze(n *Node, opts SqueezeOptions) (Op, error) {
	if err := n.CheckArity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if err := sameTypeCopyable(n, in, out); err != nil {
		return nil, err
	}
	rank := len(in.Shape)
	drop := make([]bool, rank)
	if len(opts.Dims) == 0 {
		for i, d := range in.Shape {
			drop[i] = d == 1
		}
	}
	for _, axis := range opts.Dims {
		a := axis
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, n.Errorf("squeeze axis %d out of range for rank %d input %q", axis, rank, in.Name)
		}
		if in.Shape[a] != 1 {
			return nil, n.Errorf("squeeze axis %d of input %q %s has size %d, want 1", axis, in.Name, tensor.ShapeString(in.Shape), in.Shape[a])
		}
		drop[a] = true
	}
	want := make([]int, 0, rank)
	for i, d := range in.Shape {
		if !drop[i] {
			want = append(want, d)
		}
	}
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, squeeze of %s gives %s", out.Name,
			tensor.ShapeString(out.Shape), tensor.ShapeString(in.Shape), tensor.ShapeString(want))
	}
	return &byteCopy{n: n, in: in, out: out, size: in.ByteSize()}, nil
}
