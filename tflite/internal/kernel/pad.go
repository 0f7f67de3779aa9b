package kernel

import (
	"encoding/binary"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// PadOptions is PAD's (empty) options table.
type PadOptions struct{}

// parsePadOptions accepts a missing or empty PadOptions table.
func parsePadOptions(op *schema.Operator) (PadOptions, error) {
	if op == nil {
		return PadOptions{}, nil
	}
	if got := op.BuiltinOptionsType(); got != schema.BuiltinOptionsNONE && got != schema.BuiltinOptionsPadOptions {
		return PadOptions{}, errOptionsType(schema.BuiltinOptionsPadOptions, got)
	}
	return PadOptions{}, nil
}

// preparePad validates a PAD node.
func preparePad(n *Node) (Op, error) {
	if _, err := parsePadOptions(n.Op); err != nil {
		return nil, n.Errorf("%w", err)
	}
	return newPad(n, PadOptions{})
}

// newPad builds PAD: the pad value is 0, or the output zero point when the
// tensors are quantized.
func newPad(n *Node, _ PadOptions) (Op, error) {
	if err := n.CheckArity(2, 2, 1); err != nil {
		return nil, err
	}
	return newPadding(n, nil)
}

// maxPadRank bounds the rank of padded tensors so that Eval can keep its
// index counters in a fixed array. TFLite's own limit is 5 (4 in 2.2).
const maxPadRank = 8

// padding is the op shared by PAD and PADV2.
type padding struct {
	n          *Node
	in, out    *tensor.Tensor
	elemSize   int
	rank       int
	inShape    [maxPadRank]int
	before     [maxPadRank]int
	outStrides [maxPadRank]int // in elements
	// value holds the pad element's bytes; constant, when not nil, supplies
	// them at Eval instead (PADV2 with a non-constant constant_values).
	value    [8]byte
	constant *tensor.Tensor
	filled   bool // true when no padding is needed at all

	// Bound by Eval for RunParts: the bytes, the pad element, the last
	// dimension a row spans and the row's byte length.
	src, dst, val []byte
	last, row     int
}

// newPadding validates input, paddings and output; constant is PADV2's
// constant_values input or nil.
func newPadding(n *Node, constant *tensor.Tensor) (*padding, error) {
	in, paddings, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	switch in.Type {
	case tensor.Float32, tensor.Int8, tensor.Uint8, tensor.Int16, tensor.Int32, tensor.Int64, tensor.Bool:
	default:
		return nil, n.Unsupportedf("input %q type %s", in.Name, in.Type)
	}
	if out.Type != in.Type {
		return nil, n.Errorf("output %q is %s, input %q is %s", out.Name, out.Type, in.Name, in.Type)
	}
	rank := len(in.Shape)
	if rank > maxPadRank {
		return nil, n.Unsupportedf("input %q has rank %d, limit %d", in.Name, rank, maxPadRank)
	}
	before, after, err := readPaddings(n, paddings, rank)
	if err != nil {
		return nil, err
	}
	p := &padding{n: n, in: in, out: out, elemSize: in.Type.Size(), rank: rank, filled: true}
	want := make([]int, rank)
	for d := 0; d < rank; d++ {
		p.inShape[d] = in.Shape[d]
		p.before[d] = before[d]
		want[d] = in.Shape[d] + before[d] + after[d]
		if before[d] != 0 || after[d] != 0 {
			p.filled = false
		}
	}
	if !equalShape(out.Shape, want) {
		return nil, n.Errorf("output %q has shape %s, padding %q %s gives %s", out.Name,
			tensor.ShapeString(out.Shape), in.Name, tensor.ShapeString(in.Shape), tensor.ShapeString(want))
	}
	stride := 1
	for d := rank - 1; d >= 0; d-- {
		p.outStrides[d] = stride
		stride *= want[d]
	}
	if err := p.setValue(constant); err != nil {
		return nil, err
	}
	return p, nil
}

// readPaddings reads a constant [rank, 2] int32 or int64 paddings tensor.
func readPaddings(n *Node, t *tensor.Tensor, rank int) (before, after []int, err error) {
	if len(t.Shape) != 2 || t.Shape[0] != rank || t.Shape[1] != 2 {
		return nil, nil, n.Errorf("paddings %q has shape %s, want [%d,2]", t.Name, tensor.ShapeString(t.Shape), rank)
	}
	if !t.Const || len(t.Data) < t.ByteSize() {
		return nil, nil, n.Unsupportedf("paddings %q is not a constant (dynamic output shape)", t.Name)
	}
	vals := make([]int64, 2*rank)
	switch t.Type {
	case tensor.Int32:
		for i, v := range t.Int32()[:2*rank] {
			vals[i] = int64(v)
		}
	case tensor.Int64:
		copy(vals, t.Int64()[:2*rank])
	default:
		return nil, nil, n.Unsupportedf("paddings %q type %s (want int32 or int64)", t.Name, t.Type)
	}
	before, after = make([]int, rank), make([]int, rank)
	for d := 0; d < rank; d++ {
		b, a := vals[2*d], vals[2*d+1]
		if b < 0 || a < 0 || b > 1<<30 || a > 1<<30 {
			return nil, nil, n.Errorf("paddings %q dimension %d is [%d,%d], want values in [0, 2^30]", t.Name, d, b, a)
		}
		before[d], after[d] = int(b), int(a)
	}
	return before, after, nil
}

// setValue decides the pad element as TFLite's Pad kernel does.
func (p *padding) setValue(constant *tensor.Tensor) error {
	n, out := p.n, p.out
	quantized := (out.Type == tensor.Int8 || out.Type == tensor.Uint8 || out.Type == tensor.Int16) && p.in.Quantized()
	if constant == nil {
		if !quantized {
			return nil // zero bytes
		}
		zp := int64(out.ZeroPointAt(0))
		lo, hi := quantRange(out.Type)
		if !out.Quantized() || zp < lo || zp > hi {
			return n.Errorf("output %q zero point %d is not representable in %s", out.Name, zp, out.Type)
		}
		binary.LittleEndian.PutUint64(p.value[:], uint64(zp))
		return nil
	}
	if constant.Type != p.in.Type {
		return n.Errorf("constant_values %q is %s, input %q is %s", constant.Name, constant.Type, p.in.Name, p.in.Type)
	}
	if constant.NumElements() != 1 {
		return n.Errorf("constant_values %q has shape %s, want a single element", constant.Name, tensor.ShapeString(constant.Shape))
	}
	if quantized {
		if !constant.Quantized() || !out.Quantized() || constant.ScaleAt(0) != out.ScaleAt(0) || constant.ZeroPointAt(0) != out.ZeroPointAt(0) {
			return n.Errorf("constant_values %q quantization (%v, %v) differs from output %q (%v, %v)",
				constant.Name, constant.Scale, constant.ZeroPoint, out.Name, out.Scale, out.ZeroPoint)
		}
	}
	if constant.Const && len(constant.Data) >= p.elemSize {
		copy(p.value[:], constant.Data[:p.elemSize])
		return nil
	}
	p.constant = constant
	return nil
}

// quantRange returns the value range of a quantized integer type.
func quantRange(t tensor.DType) (lo, hi int64) {
	switch t {
	case tensor.Int8:
		return -128, 127
	case tensor.Uint8:
		return 0, 255
	}
	return -32768, 32767
}

// Eval fills the output with the pad element, then copies each innermost
// input row to its place.
func (p *padding) Eval() error {
	if err := checkBound(p.n, p.in, p.out, p.constant); err != nil {
		return err
	}
	es := p.elemSize
	src, dst := p.in.Data[:p.in.ByteSize()], p.out.Data[:p.out.ByteSize()]
	if p.filled {
		copy(dst, src)
		return nil
	}
	value := p.value[:es]
	if p.constant != nil {
		value = p.constant.Data[:es]
	}
	if len(src) == 0 {
		fillPattern(dst, value)
		return nil
	}
	if p.rank == 0 {
		copy(dst, src)
		return nil
	}
	// A "row" spans the innermost padded dimension and every unpadded one
	// inside it: that block of the input is contiguous in the output too.
	// Rows land in increasing order, so filling only the gap before each
	// row (and the tail after the last) writes every output byte once.
	last := p.rank - 1
	row := p.inShape[last] * es
	for last > 0 && p.before[last] == 0 && p.out.Shape[last] == p.inShape[last] {
		last--
		row *= p.inShape[last]
	}
	p.src, p.dst, p.val, p.last, p.row = src, dst, value, last, row
	rows := len(src) / row
	if len(dst) >= splitCopyBytes {
		p.n.Pool.Run(p, rows)
	} else {
		p.RunParts(0, 0, rows)
	}
	p.src, p.dst, p.val = nil, nil, nil
	return nil
}

// RunParts writes input rows [lo, hi) into the output with the padding
// before each, and the padding after the last row when hi is the end.
func (p *padding) RunParts(_, lo, hi int) {
	es, last, row := p.elemSize, p.last, p.row
	src, dst, value := p.src, p.dst, p.val
	var idx [maxPadRank]int
	for d, r := last-1, lo; d >= 0; d-- {
		idx[d], r = r%p.inShape[d], r/p.inShape[d]
	}
	// Row lo's gap starts where row lo−1 ends in the output.
	filled := 0
	if lo > 0 {
		prev := idx
		for d := last - 1; d >= 0; d-- {
			if prev[d]--; prev[d] >= 0 {
				break
			}
			prev[d] = p.inShape[d] - 1
		}
		filled = p.rowOffset(&prev)*es + row
	}
	for off := lo * row; off < hi*row; off += row {
		o := p.rowOffset(&idx)
		fillPattern(dst[filled:o*es], value)
		filled = o*es + copy(dst[o*es:], src[off:off+row])
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < p.inShape[d] {
				break
			}
			idx[d] = 0
		}
	}
	if hi*row == len(src) {
		fillPattern(dst[filled:], value)
	}
}

// rowOffset returns the output element offset of the input row at idx.
func (p *padding) rowOffset(idx *[maxPadRank]int) int {
	o := p.before[p.last] * p.outStrides[p.last]
	for d := 0; d < p.last; d++ {
		o += (idx[d] + p.before[d]) * p.outStrides[d]
	}
	return o
}

// fillPattern fills dst with repetitions of an element's bytes, doubling
// the filled prefix each step.
func fillPattern(dst, elem []byte) {
	if len(dst) == 0 {
		return
	}
	k := copy(dst, elem)
	for k < len(dst) {
		k += copy(dst[k:], dst[:k])
	}
}
