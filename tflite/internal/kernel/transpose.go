package kernel

import (
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// TransposeOptions is TRANSPOSE's (empty) options table.
type TransposeOptions struct{}

// parseTransposeOptions accepts a missing or empty TransposeOptions table.
func parseTransposeOptions(op *schema.Operator) (TransposeOptions, error) {
	if op == nil {
		return TransposeOptions{}, nil
	}
	if got := op.BuiltinOptionsType(); got != schema.BuiltinOptionsNONE && got != schema.BuiltinOptionsTransposeOptions {
		return TransposeOptions{}, errOptionsType(schema.BuiltinOptionsTransposeOptions, got)
	}
	return TransposeOptions{}, nil
}

// prepareTranspose validates a TRANSPOSE node.
func prepareTranspose(n *Node) (Op, error) {
	if _, err := parseTransposeOptions(n.Op); err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newTranspose(n, TransposeOptions{})
}

// maxTransposeRank is TFLite's limit for TRANSPOSE.
const maxTransposeRank = 6

// newTranspose reads the constant int32 permutation and checks that the
// output shape is the permuted input shape. Any element size is moved.
func newTranspose(n *Node, _ TransposeOptions) (Op, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, err
	}
	in, perm, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if err := sameTypeCopyable(n, in, out); err != nil {
		return nil, err
	}
	rank := len(in.Shape)
	if rank > maxTransposeRank {
		return nil, n.Unsupportedf("input %q has rank %d, limit %d", in.Name, rank, maxTransposeRank)
	}
	if perm.Type != tensor.Int32 {
		return nil, n.Unsupportedf("perm %q type %s (want int32)", perm.Name, perm.Type)
	}
	if len(perm.Shape) != 1 || perm.Shape[0] != rank {
		return nil, n.Errorf("perm %q has shape %s, want [%d]", perm.Name, tensor.ShapeString(perm.Shape), rank)
	}
	if !perm.Const || len(perm.Data) < perm.ByteSize() {
		return nil, n.Unsupportedf("perm %q is not a constant", perm.Name)
	}
	t := &transpose{n: n, in: in, out: out, rank: rank}
	var inStrides [maxTransposeRank]int
	stride := 1
	for d := rank - 1; d >= 0; d-- {
		inStrides[d] = stride
		stride *= in.Shape[d]
	}
	seen := make([]bool, rank)
	want := make([]int, rank)
	for i, p := range perm.Int32()[:rank] {
		if p < 0 || int(p) >= rank || seen[p] {
			return nil, n.Errorf("perm %q = %v is not a permutation of 0..%d", perm.Name, perm.Int32()[:rank], rank-1)
		}
		seen[p] = true
		want[i] = in.Shape[p]
		t.outShape[i] = in.Shape[p]
		t.strides[i] = inStrides[p]
	}
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, transpose of %s gives %s", out.Name,
			tensor.ShapeString(out.Shape), tensor.ShapeString(in.Shape), tensor.ShapeString(want))
	}
	switch in.Type.Size() {
	case 1:
		t.move = transposeElems[uint8]
	case 2:
		t.move = transposeElems[uint16]
	case 4:
		t.move = transposeElems[uint32]
	case 8:
		t.move = transposeElems[uint64]
	default:
		return nil, n.Unsupportedf("input %q type %s", in.Name, in.Type)
	}
	return t, nil
}

// transpose walks the output in order and gathers from the input.
type transpose struct {
	n       *Node
	in, out *tensor.Tensor
	rank    int
	// outShape is the output shape; strides[i] is the input stride (in
	// elements) of output axis i.
	outShape [maxTransposeRank]int
	strides  [maxTransposeRank]int
	move     func(t *transpose, lo, hi int)
}

// Eval runs the element-size specific loop chosen in prepare.
func (t *transpose) Eval() error {
	if err := checkBound(t.n, t.in, t.out); err != nil {
		return err
	}
	if t.rank == 0 {
		copy(t.out.Data, t.in.Data[:t.in.ByteSize()])
		return nil
	}
	blocks := t.blocks()
	if t.out.ByteSize() >= splitCopyBytes {
		t.n.Pool.Run(t, blocks)
	} else {
		t.move(t, 0, blocks)
	}
	return nil
}

// blocks returns the number of blocks transposeElems walks: the output
// but its last two dimensions (its last one for rank 1).
func (t *transpose) blocks() int {
	b := 1
	for d := 0; d < t.rank-2; d++ {
		b *= t.outShape[d]
	}
	return b
}

// RunParts moves blocks [lo, hi).
func (t *transpose) RunParts(_, lo, hi int) { t.move(t, lo, hi) }

// transposeElems moves blocks [lo, hi) of elements of one size (see
// blocks); T only fixes the width.
func transposeElems[T uint8 | uint16 | uint32 | uint64](t *transpose, lo, hi int) {
	src, dst := dataAs[T](t.in), dataAs[T](t.out)
	n := t.out.NumElements()
	if n == 0 {
		return
	}
	last := t.rank - 1
	inner, innerStride := t.outShape[last], t.strides[last]
	// The last two output dimensions are walked as one block: moving
	// channels last (NCHW → NHWC) makes rows of only a few elements, and
	// the odometer below would otherwise run once per row.
	rows, rowStride := 1, 0
	if last > 0 {
		rows, rowStride = t.outShape[last-1], t.strides[last-1]
		last--
	}
	// The odometer over the block dimensions starts at block lo.
	var idx [maxTransposeRank]int
	base := 0 // input offset of the current block's first element
	for d, b := last-1, lo; d >= 0; d-- {
		idx[d], b = b%t.outShape[d], b/t.outShape[d]
		base += idx[d] * t.strides[d]
	}
	// Read along whichever of the two dimensions is closer to contiguous
	// in the input.
	readRows := rowStride < innerStride
	for o := lo * rows * inner; o < min(n, hi*rows*inner); o += rows * inner {
		block := dst[o : o+rows*inner]
		if readRows && rowStride == 1 && inner >= 2 && inner <= 4 {
			// Channels to last (NCHW → NHWC) with an image's 2-4
			// channels: one sequential run per channel, written
			// interleaved.
			interleave(block, src[base:], innerStride, inner)
		} else if readRows {
			for i := 0; i < inner; i++ {
				s := base + i*innerStride
				for r := i; r < len(block); r += inner {
					block[r] = src[s]
					s += rowStride
				}
			}
		} else {
			for r := 0; r < rows; r++ {
				row := block[r*inner : (r+1)*inner]
				s := base + r*rowStride
				for i := range row {
					row[i] = src[s]
					s += innerStride
				}
			}
		}
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			base += t.strides[d]
			if idx[d] < t.outShape[d] {
				break
			}
			base -= idx[d] * t.strides[d]
			idx[d] = 0
		}
	}
}

// interleave fills block (rows × n values, n = 2, 3 or 4) with
// block[r·n+i] = src[i·stride+r]: n planes merged pixel by pixel.
func interleave[T uint8 | uint16 | uint32 | uint64](block, src []T, stride, n int) {
	rows := len(block) / n
	s0, s1 := src[:rows], src[stride:][:rows]
	switch n {
	case 2:
		for r := range s0 {
			o := block[2*r : 2*r+2 : 2*r+2]
			o[0], o[1] = s0[r], s1[r]
		}
	case 3:
		s2 := src[2*stride:][:rows]
		for r := range s0 {
			o := block[3*r : 3*r+3 : 3*r+3]
			o[0], o[1], o[2] = s0[r], s1[r], s2[r]
		}
	case 4:
		s2, s3 := src[2*stride:][:rows], src[3*stride:][:rows]
		for r := range s0 {
			o := block[4*r : 4*r+4 : 4*r+4]
			o[0], o[1], o[2], o[3] = s0[r], s1[r], s2[r], s3[r]
		}
	}
}
