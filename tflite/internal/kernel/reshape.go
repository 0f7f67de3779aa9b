package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ReshapeOptions holds RESHAPE's new_shape option.
type ReshapeOptions struct {
	// NewShape is nil when the model gives no new_shape option.
	NewShape []int
}

// parseReshapeOptions reads ReshapeOptions; a missing table means no
// new_shape (the shape then comes from the second input).
func parseReshapeOptions(op *schema.Operator) (ReshapeOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return ReshapeOptions{}, nil
	}
	o, err := readOptions[schema.ReshapeOptions](op, schema.BuiltinOptionsReshapeOptions)
	if err != nil {
		return ReshapeOptions{}, err
	}
	var opts ReshapeOptions
	if l := o.NewShapeLength(); l > 0 {
		opts.NewShape = make([]int, l)
		for i := range opts.NewShape {
			opts.NewShape[i] = int(o.NewShape(i))
		}
	}
	return opts, nil
}

// prepareReshape validates a RESHAPE node.
func prepareReshape(n *Node) (Op, error) {
	opts, err := parseReshapeOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newReshape(n, opts)
}

// newReshape resolves the target shape the way TFLite 2.2 does: from the
// second input when it is a 1-D int32 tensor, else from new_shape (where the
// legacy [0] means a scalar); one -1 dimension is inferred. The output's
// declared shape must equal the result.
func newReshape(n *Node, opts ReshapeOptions) (Op, error) {
	if err := n.CheckArity(1, 2, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if err := sameTypeCopyable(n, in, out); err != nil {
		return nil, err
	}
	target := opts.NewShape
	if len(target) == 1 && target[0] == 0 {
		target = []int{}
	}
	if shape := n.Input(1); shape != nil && len(shape.Shape) == 1 && shape.Type == tensor.Int32 {
		if !shape.Const || len(shape.Data) < shape.ByteSize() {
			return nil, n.Unsupportedf("shape input %q is not a constant (dynamic reshape)", shape.Name)
		}
		target = make([]int, shape.Shape[0])
		for i, v := range shape.Int32()[:shape.Shape[0]] {
			target[i] = int(v)
		}
	} else if target == nil {
		return nil, n.Errorf("no shape: neither a 1-D int32 shape input nor a new_shape option")
	}
	resolved, err := resolveShape(n, target, in.NumElements())
	if err != nil {
		return nil, err
	}
	if !equalShape(out.Shape, resolved) {
		return nil, n.Errorf("output %q has shape %s, reshape of %q %s to %s gives %s", out.Name,
			tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape), tensor.ShapeString(target), tensor.ShapeString(resolved))
	}
	return &byteCopy{n: n, in: in, out: out, size: in.ByteSize()}, nil
}

// resolveShape replaces a single -1 in target so that it holds elements
// values, and checks the element count.
func resolveShape(n *Node, target []int, elements int) ([]int, error) {
	shape := make([]int, len(target))
	stretch, known := -1, 1
	for i, d := range target {
		switch {
		case d == -1 && stretch >= 0:
			return nil, n.Errorf("new shape %s has more than one -1", tensor.ShapeString(target))
		case d == -1:
			stretch = i
		case d < 0:
			return nil, n.Errorf("new shape %s has negative dimension %d", tensor.ShapeString(target), d)
		default:
			known *= d
		}
		shape[i] = d
	}
	if stretch >= 0 {
		if known == 0 {
			return nil, n.Errorf("new shape %s: cannot infer -1 next to a zero dimension", tensor.ShapeString(target))
		}
		shape[stretch] = elements / known
		known *= shape[stretch]
	}
	if known != elements {
		return nil, n.Errorf("new shape %s has %d elements, input has %d", tensor.ShapeString(target), known, elements)
	}
	return shape, nil
}

// sameTypeCopyable checks that a data-movement op's output has the input's
// dtype and that the dtype has a known element size.
func sameTypeCopyable(n *Node, in, out *tensor.Tensor) error {
	if in.Type.Size() == 0 {
		return n.Unsupportedf("input %q type %s", in.Name, in.Type)
	}
	if out.Type != in.Type {
		return n.Errorf("output %q is %s, input %q is %s", out.Name, out.Type, in.Name, in.Type)
	}
	return nil
}

// byteCopy copies the input's bytes to the output: the planner may give
// the two tensors different memory, so a reshape is not free.
type byteCopy struct {
	n       *Node
	in, out *tensor.Tensor
	size    int
}

// Eval copies size bytes.
func (c *byteCopy) Eval() error {
	if err := checkBound(c.n, c.in, c.out); err != nil {
		return err
	}
	copy(c.out.Data[:c.size], c.in.Data[:c.size])
	return nil
}
