package kernel

import (
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func TestTransposeReference(t *testing.T) {
	cases := []refCase{
		{name: "transpose_int8_nchw_to_nhwc", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.0186, -14, 61, 1, 3, 5, 4), constI32([]int{4}, 0, 2, 3, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.0186, -14, 1, 5, 4, 3)}},
		{name: "transpose_float_3d", version: 1,
			inputs:  []refTensor{fIn(62, 2, 3, 4), constI32([]int{3}, 2, 0, 1)},
			outputs: []refTensor{fOut(4, 2, 3)}},
		{name: "transpose_uint8_2d", version: 1,
			inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 128, 63, 5, 7), constI32([]int{2}, 1, 0)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 7, 5)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorTRANSPOSE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// naiveTranspose computes out[i0..ik] = in[i_perm...] element by element.
func naiveTranspose(in []int, shape []int, perm []int) []int {
	rank := len(shape)
	outShape := make([]int, rank)
	for i, p := range perm {
		outShape[i] = shape[p]
	}
	out := make([]int, len(in))
	idx := make([]int, rank)
	for o := range out {
		// Decompose o into output coordinates.
		r := o
		for d := rank - 1; d >= 0; d-- {
			idx[d] = r % outShape[d]
			r /= outShape[d]
		}
		off := 0
		for d := 0; d < rank; d++ {
			c := 0
			for i, p := range perm {
				if p == d {
					c = idx[i]
				}
			}
			off = off*shape[d] + c
		}
		out[o] = in[off]
	}
	return out
}

// TestTransposeRanksAndSizes compares against a naive transpose for ranks
// TFLite 2.2 cannot run (5-D, 6-D) and for 2- and 8-byte elements.
func TestTransposeRanksAndSizes(t *testing.T) {
	tests := []struct {
		name  string
		typ   tensor.DType
		shape []int
		perm  []int
	}{
		{"6-D int8", tensor.Int8, []int{2, 1, 3, 2, 2, 3}, []int{5, 3, 0, 4, 2, 1}},
		{"5-D int16", tensor.Int16, []int{2, 3, 2, 2, 3}, []int{4, 0, 2, 1, 3}},
		{"4-D int64", tensor.Int64, []int{2, 3, 4, 2}, []int{3, 1, 0, 2}},
		{"identity float", tensor.Float32, []int{3, 4}, []int{0, 1}},
		{"1-D", tensor.Int32, []int{5}, []int{0}},
		// Channels to last (NCHW → NHWC) with 2, 3 and 4 channels, and
		// one where the rows are not contiguous in the input.
		{"NCHW 2 int8", tensor.Int8, []int{2, 2, 3, 5}, []int{0, 2, 3, 1}},
		{"NCHW 3 uint8", tensor.Uint8, []int{1, 3, 4, 6}, []int{0, 2, 3, 1}},
		{"NCHW 4 float", tensor.Float32, []int{2, 4, 3, 3}, []int{0, 2, 3, 1}},
		{"CHW to WHC", tensor.Int8, []int{3, 4, 5}, []int{2, 1, 0}},
		// Outputs past splitCopyBytes, split across the pool.
		{"NCHW 3 int32 split", tensor.Int32, []int{1, 3, 96, 96}, []int{0, 2, 3, 1}},
		{"5-D float split", tensor.Float32, []int{2, 3, 4, 30, 20}, []int{4, 2, 0, 3, 1}},
	}
	pool := parallel.New(3)
	defer pool.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			count := elems(tc.shape...)
			vals := make([]int, count)
			for i := range vals {
				vals[i] = i + 1
			}
			es := tc.typ.Size()
			in := &tensor.Tensor{Name: "in", Type: tc.typ, Shape: tc.shape, Data: alignedBytes(count * es)}
			for i, v := range vals {
				putElem(in.Data, es, i, v)
			}
			perm32 := make([]int32, len(tc.perm))
			outShape := make([]int, len(tc.perm))
			for i, p := range tc.perm {
				perm32[i] = int32(p)
				outShape[i] = tc.shape[p]
			}
			perm := &tensor.Tensor{Name: "perm", Type: tensor.Int32, Shape: []int{len(tc.perm)}, Const: true, Data: int32Bytes(perm32...)}
			out := &tensor.Tensor{Name: "out", Type: tc.typ, Shape: outShape, Data: alignedBytes(count * es)}
			want := naiveTranspose(vals, tc.shape, tc.perm)
			for _, p := range []*parallel.Pool{nil, pool} {
				clear(out.Data)
				n := &Node{Code: schema.BuiltinOperatorTRANSPOSE, Inputs: []*tensor.Tensor{in, perm}, Outputs: []*tensor.Tensor{out}, Pool: p}
				op, err := newTranspose(n, TransposeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if err := op.Eval(); err != nil {
					t.Fatal(err)
				}
				for i, w := range want {
					if got := getElem(out.Data, es, i); got != w {
						t.Fatalf("%d workers: out[%d] = %d, want %d", p.Workers(), i, got, w)
					}
				}
			}
		})
	}
}

func putElem(b []byte, size, i, v int) {
	for k := 0; k < size; k++ {
		b[i*size+k] = byte(v >> (8 * k))
	}
}

func getElem(b []byte, size, i int) int {
	v := 0
	for k := size - 1; k >= 0; k-- {
		v = v<<8 | int(b[i*size+k])
	}
	return v
}

func TestTransposeErrors(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{2, 3}}
	out := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: shape}
	}
	perm := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "perm", Type: tensor.Int32, Shape: []int{len(v)}, Const: true, Data: int32Bytes(v...)}
	}
	tests := []struct {
		name string
		perm *tensor.Tensor
		out  *tensor.Tensor
		want error
	}{
		{"ok", perm(1, 0), out(3, 2), nil},
		{"repeated axis", perm(0, 0), out(2, 2), ErrInvalid},
		{"axis out of range", perm(0, 2), out(2, 3), ErrInvalid},
		{"negative axis", perm(-1, 0), out(3, 2), ErrInvalid},
		{"short perm", perm(0), out(2, 3), ErrInvalid},
		{"wrong output shape", perm(1, 0), out(2, 3), ErrInvalid},
		{"dynamic perm", &tensor.Tensor{Name: "perm", Type: tensor.Int32, Shape: []int{2}}, out(3, 2), ErrUnsupported},
		{"int64 perm", &tensor.Tensor{Name: "perm", Type: tensor.Int64, Shape: []int{2}, Const: true, Data: make([]byte, 16)}, out(3, 2), ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorTRANSPOSE, Inputs: []*tensor.Tensor{in, tc.perm}, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newTranspose(n, TransposeOptions{})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	big := &tensor.Tensor{Name: "in", Type: tensor.Int8, Shape: []int{1, 1, 1, 1, 1, 1, 1}}
	n := &Node{Code: schema.BuiltinOperatorTRANSPOSE, Inputs: []*tensor.Tensor{big, perm(0, 1, 2, 3, 4, 5, 6)}, Outputs: []*tensor.Tensor{{Name: "o", Type: tensor.Int8, Shape: big.Shape}}}
	if _, err := newTranspose(n, TransposeOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("7-D: err = %v, want ErrUnsupported", err)
	}
}
