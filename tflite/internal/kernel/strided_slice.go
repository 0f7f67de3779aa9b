package kernel

import (
	"math"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// StridedSliceOptions holds STRIDED_SLICE's masks: bit i refers to axis i.
type StridedSliceOptions struct {
	BeginMask      int32
	EndMask        int32
	EllipsisMask   int32
	NewAxisMask    int32
	ShrinkAxisMask int32
	Offset         bool // end is relative to begin (newer TFLite)
}

// parseStridedSliceOptions reads StridedSliceOptions; a missing table means
// all masks clear.
func parseStridedSliceOptions(op *schema.Operator) (StridedSliceOptions, error) {
	if op == nil || op.BuiltinOptionsType() == schema.BuiltinOptionsNONE {
		return StridedSliceOptions{}, nil
	}
	o, err := readOptions[schema.StridedSliceOptions](op, schema.BuiltinOptionsStridedSliceOptions)
	if err != nil {
		return StridedSliceOptions{}, err
	}
	return StridedSliceOptions{
		BeginMask: o.BeginMask(), EndMask: o.EndMask(), EllipsisMask: o.EllipsisMask(),
		NewAxisMask: o.NewAxisMask(), ShrinkAxisMask: o.ShrinkAxisMask(), Offset: o.Offset(),
	}, nil
}

// prepareStridedSlice validates a STRIDED_SLICE node.
func prepareStridedSlice(n *Node) (Op, error) {
	opts, err := parseStridedSliceOptions(n.Op)
	if err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newStridedSlice(n, opts)
}

// maxSliceRank bounds the rank so that Eval keeps counters in an array.
const maxSliceRank = 8

// newStridedSlice resolves each axis's start, stop and stride with TFLite's
// StartForAxis/StopForAxis rules (masks, negative indices, clamping) and
// checks the declared output shape against the resulting counts. Ellipsis
// and new-axis masks and the offset flag are refused.
func newStridedSlice(n *Node, opts StridedSliceOptions) (Op, error) {
	if err := n.CheckArity(4, 4, 1); err != nil {
		return nil, err
	}
	in, out := n.Inputs[0], n.Outputs[0]
	if err := sameTypeCopyable(n, in, out); err != nil {
		return nil, err
	}
	if opts.EllipsisMask != 0 || opts.NewAxisMask != 0 || opts.Offset {
		return nil, n.Unsupportedf("ellipsis_mask %d, new_axis_mask %d, offset %t (only 0, 0, false are supported)",
			opts.EllipsisMask, opts.NewAxisMask, opts.Offset)
	}
	rank := len(in.Shape)
	if rank < 1 || rank > maxSliceRank {
		return nil, n.Unsupportedf("input %q has rank %d, want 1 to %d", in.Name, rank, maxSliceRank)
	}
	var idx [3][]int64
	for k, name := range []string{"begin", "end", "strides"} {
		v, err := readIndexVector(n, n.Inputs[1+k], name, rank)
		if err != nil {
			return nil, err
		}
		idx[k] = v
	}
	begin, end, strides := idx[0], idx[1], idx[2]
	s := &stridedSlice{n: n, in: in, out: out, rank: rank}
	inStride := 1
	want := make([]int, 0, rank)
	for d := rank - 1; d >= 0; d-- {
		stride := strides[d]
		if stride == 0 {
			return nil, n.Errorf("strides[%d] is 0", d)
		}
		size := int64(in.Shape[d])
		start := sliceStart(opts.BeginMask, d, begin[d], stride, size)
		stop := sliceStop(opts.EndMask, opts.ShrinkAxisMask, d, end[d], stride, size, start)
		var count int64
		if stride > 0 && stop > start {
			count = (stop - start + stride - 1) / stride
		} else if stride < 0 && stop < start {
			count = (start - stop - stride - 1) / -stride
		}
		shrink := opts.ShrinkAxisMask&(1<<d) != 0
		if shrink && count != 1 {
			return nil, n.Errorf("shrink axis %d selects %d elements of %d, want 1", d, count, size)
		}
		s.base += int(start) * inStride
		s.steps[d] = int(stride) * inStride
		s.counts[d] = int(count)
		inStride *= in.Shape[d]
		if !shrink {
			want = append(want, int(count))
		}
	}
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i]
	}
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, strided slice of %s gives %s", out.Name,
			tensor.ShapeString(out.Shape), tensor.ShapeString(in.Shape), tensor.ShapeString(want))
	}
	switch in.Type.Size() {
	case 1:
		s.move = sliceElems[uint8]
	case 2:
		s.move = sliceElems[uint16]
	case 4:
		s.move = sliceElems[uint32]
	case 8:
		s.move = sliceElems[uint64]
	default:
		return nil, n.Unsupportedf("input %q type %s", in.Name, in.Type)
	}
	return s, nil
}

// readIndexVector reads a constant int32 or int64 vector of rank values.
func readIndexVector(n *Node, t *tensor.Tensor, name string, rank int) ([]int64, error) {
	if len(t.Shape) != 1 || t.Shape[0] != rank {
		return nil, n.Errorf("%s %q has shape %s, want [%d]", name, t.Name, tensor.ShapeString(t.Shape), rank)
	}
	if !t.Const || len(t.Data) < t.ByteSize() {
		return nil, n.Unsupportedf("%s %q is not a constant", name, t.Name)
	}
	v := make([]int64, rank)
	switch t.Type {
	case tensor.Int32:
		for i, x := range t.Int32()[:rank] {
			v[i] = int64(x)
		}
	case tensor.Int64:
		copy(v, t.Int64()[:rank])
	default:
		return nil, n.Unsupportedf("%s %q type %s (want int32 or int64)", name, t.Name, t.Type)
	}
	return v, nil
}

// sliceStart is TFLite's StartForAxis.
func sliceStart(beginMask int32, axis int, begin, stride, size int64) int64 {
	start := begin
	if beginMask&(1<<axis) != 0 {
		if stride > 0 {
			start = math.MinInt32
		} else {
			start = math.MaxInt32
		}
	}
	if start < 0 {
		start += size
	}
	return min(max(start, 0), size-1)
}

// sliceStop is TFLite's StopForAxis: one past the last index visited.
func sliceStop(endMask, shrinkMask int32, axis int, end, stride, size, start int64) int64 {
	stop := end
	if shrinkMask&(1<<axis) != 0 {
		stop = start + 1
	}
	if endMask&(1<<axis) != 0 {
		if stride > 0 {
			stop = math.MaxInt32
		} else {
			stop = math.MinInt32
		}
	}
	if stop < 0 {
		stop += size
	}
	if stride > 0 {
		return min(max(stop, 0), size)
	}
	return min(max(stop, -1), size-1)
}

// stridedSlice gathers the selected elements in output order.
type stridedSlice struct {
	n       *Node
	in, out *tensor.Tensor
	rank    int
	base    int               // input offset of the first element
	steps   [maxSliceRank]int // input offset step per axis
	counts  [maxSliceRank]int // elements taken per axis
	move    func(s *stridedSlice)
}

// Eval runs the element-size specific loop chosen in prepare.
func (s *stridedSlice) Eval() error {
	if err := checkBound(s.n, s.in, s.out); err != nil {
		return err
	}
	s.move(s)
	return nil
}

// sliceElems copies elements of one size; T only fixes the width.
func sliceElems[T uint8 | uint16 | uint32 | uint64](s *stridedSlice) {
	src, dst := dataAs[T](s.in), dataAs[T](s.out)
	total := 1
	for d := 0; d < s.rank; d++ {
		total *= s.counts[d]
	}
	if total == 0 {
		return
	}
	last := s.rank - 1
	inner, step := s.counts[last], s.steps[last]
	var idx [maxSliceRank]int
	base := s.base
	for o := 0; o < total; o += inner {
		row := dst[o : o+inner]
		p := base
		for i := range row {
			row[i] = src[p]
			p += step
		}
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			base += s.steps[d]
			if idx[d] < s.counts[d] {
				break
			}
			base -= idx[d] * s.steps[d]
			idx[d] = 0
		}
	}
}
