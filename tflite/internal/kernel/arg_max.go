package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// ArgMaxOptions holds ARG_MAX's output_type option.
type ArgMaxOptions struct {
	// OutputType is the index type the model asks for; HasOutputType is
	// false when the model gives no options (the output tensor decides).
	OutputType    tensor.DType
	HasOutputType bool
}

// parseArgMaxOptions reads ArgMaxOptions.
func parseArgMaxOptions(op *schema.Operator) (ArgMaxOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return ArgMaxOptions{}, nil
	}
	o, err := readOptions[schema.ArgMaxOptions](op, schema.BuiltinOptionsArgMaxOptions)
	if err != nil {
		return ArgMaxOptions{}, err
	}
	return ArgMaxOptions{OutputType: tensor.DType(o.OutputType()), HasOutputType: true}, nil
}

// prepareArgMax validates an ARG_MAX node.
func prepareArgMax(n *Node) (Op, error) {
	opts, err := parseArgMaxOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newArgMax(n, opts)
}

// newArgMax reads the constant axis and checks that the output is int32 or
// int64 with the input's shape minus that axis. Quantized inputs are
// compared raw: quantization is monotonic.
func newArgMax(n *Node, opts ArgMaxOptions) (Op, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, err
	}
	in, axisT, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if out.Type != tensor.Int32 && out.Type != tensor.Int64 {
		return nil, n.Unsupportedf("output %q type %s (want int32 or int64)", out.Name, out.Type)
	}
	if opts.HasOutputType && opts.OutputType != out.Type {
		return nil, n.Errorf("output_type option is %s, output %q is %s", opts.OutputType, out.Name, out.Type)
	}
	rank := len(in.Shape)
	if rank < 1 {
		return nil, n.Errorf("input %q is a scalar", in.Name)
	}
	if axisT.NumElements() != 1 {
		return nil, n.Errorf("axis %q has shape %s, want one element", axisT.Name, tensor.ShapeString(axisT.Shape))
	}
	if !axisT.Const || len(axisT.Data) < axisT.ByteSize() {
		return nil, n.Unsupportedf("axis %q is not a constant", axisT.Name)
	}
	var axis int
	switch axisT.Type {
	case tensor.Int32:
		axis = int(axisT.Int32()[0])
	case tensor.Int64:
		axis = int(axisT.Int64()[0])
	default:
		return nil, n.Unsupportedf("axis %q type %s (want int32 or int64)", axisT.Name, axisT.Type)
	}
	a := axis
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		return nil, n.Errorf("axis %d out of range for rank %d input %q", axis, rank, in.Name)
	}
	want := append(append([]int{}, in.Shape[:a]...), in.Shape[a+1:]...)
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, arg max of %s over axis %d gives %s", out.Name,
			tensor.ShapeString(out.Shape), tensor.ShapeString(in.Shape), axis, tensor.ShapeString(want))
	}
	m := &argMax{n: n, in: in, out: out, outer: 1, axisSize: in.Shape[a], inner: 1}
	for d := 0; d < a; d++ {
		m.outer *= in.Shape[d]
	}
	for d := a + 1; d < rank; d++ {
		m.inner *= in.Shape[d]
	}
	if m.axisSize == 0 {
		return nil, n.Errorf("axis %d of input %q has size 0", axis, in.Name)
	}
	switch in.Type {
	case tensor.Float32:
		m.run = argMaxOf[float32]
	case tensor.Int8:
		m.run = argMaxOf[int8]
	case tensor.Uint8:
		m.run = argMaxOf[uint8]
	case tensor.Int32:
		m.run = argMaxOf[int32]
	default:
		return nil, n.Unsupportedf("input %q type %s (want float32, int8, uint8 or int32)", in.Name, in.Type)
	}
	return m, nil
}

// argMax finds, for every (outer, inner) position, the index along the
// axis of the largest value.
type argMax struct {
	n                      *Node
	in, out                *tensor.Tensor
	outer, axisSize, inner int
	run                    func(m *argMax)
}

// Eval runs the input type's loop chosen in prepare.
func (m *argMax) Eval() error {
	if err := checkBound(m.n, m.in, m.out); err != nil {
		return err
	}
	m.run(m)
	return nil
}

// argMaxOf scans with a strict comparison so that ties keep the first
// index, as TFLite's std::greater does.
func argMaxOf[T float32 | int8 | uint8 | int32](m *argMax) {
	src := dataAs[T](m.in)
	out32 := m.out.Type == tensor.Int32
	for o := 0; o < m.outer; o++ {
		for i := 0; i < m.inner; i++ {
			base := o*m.axisSize*m.inner + i
			best, bestIdx := src[base], 0
			for k := 1; k < m.axisSize; k++ {
				if v := src[base+k*m.inner]; v > best {
					best, bestIdx = v, k
				}
			}
			if out32 {
				m.out.Int32()[o*m.inner+i] = int32(bestIdx)
			} else {
				m.out.Int64()[o*m.inner+i] = int64(bestIdx)
			}
		}
	}
}
