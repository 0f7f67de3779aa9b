package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func sliceOpts(beginMask, endMask, shrinkMask int32) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.StridedSliceOptionsStart(b)
		schema.StridedSliceOptionsAddBeginMask(b, beginMask)
		schema.StridedSliceOptionsAddEndMask(b, endMask)
		schema.StridedSliceOptionsAddShrinkAxisMask(b, shrinkMask)
		return schema.BuiltinOptionsStridedSliceOptions, schema.StridedSliceOptionsEnd(b)
	}
}

func TestStridedSliceReference(t *testing.T) {
	vec := func(v ...int32) refTensor { return constI32([]int{len(v)}, v...) }
	cases := []refCase{
		{name: "slice_float_4d_step2", options: sliceOpts(0, 0, 0),
			inputs:  []refTensor{fIn(151, 1, 5, 6, 3), vec(0, 1, 0, 0), vec(1, 4, 6, 2), vec(1, 1, 2, 1)},
			outputs: []refTensor{fOut(1, 3, 3, 2)}},
		{name: "slice_int8_negative_stride", version: 2, options: sliceOpts(0, 0, 0),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 1, 152, 2, 7, 3), vec(0, -1, 0), vec(2, 0, 3), vec(1, -2, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 1, 2, 3, 3)}},
		{name: "slice_uint8_shrink", options: sliceOpts(0, 0, 0b101),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 128, 153, 3, 4, 5), vec(1, 0, -1), vec(2, 4, 0), vec(1, 1, 1)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 4)}},
		{name: "slice_float_reverse_masks", options: sliceOpts(0b10, 0b11, 0),
			inputs:  []refTensor{fIn(154, 4, 6), vec(0, 0), vec(0, 0), vec(1, -1)},
			outputs: []refTensor{fOut(4, 6)}},
		{name: "slice_int8_clamped", version: 2, options: sliceOpts(0, 0, 0),
			inputs:  []refTensor{qIn(tensor.Int8, 0.1, 1, 155, 5, 4), vec(-10, 1), vec(10, 100), vec(2, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.1, 1, 3, 3)}},
		{name: "slice_float_shrink_last_negative_begin", options: sliceOpts(0b1, 0b1, 0b10),
			inputs:  []refTensor{fIn(156, 3, 4), vec(0, -2), vec(0, -1), vec(1, 1)},
			outputs: []refTensor{fOut(3)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorSTRIDED_SLICE
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestStridedSliceHand covers int64 indices and 5-D input, which TFLite
// 2.2 cannot run: a [1,1,2,1,4] input sliced to every other last element.
func TestStridedSliceHand(t *testing.T) {
	vec := func(v ...int64) *tensor.Tensor {
		return &tensor.Tensor{Name: "v", Type: tensor.Int64, Shape: []int{len(v)}, Const: true, Data: int64Bytes(v...)}
	}
	in := &tensor.Tensor{Name: "in", Type: tensor.Int16, Shape: []int{1, 1, 2, 1, 4}, Data: alignedBytes(16)}
	for i := 0; i < 8; i++ {
		putElem(in.Data, 2, i, 10+i)
	}
	out := &tensor.Tensor{Name: "out", Type: tensor.Int16, Shape: []int{1, 1, 2, 1, 2}, Data: alignedBytes(8)}
	n := &Node{Code: schema.BuiltinOperatorSTRIDED_SLICE,
		Inputs:  []*tensor.Tensor{in, vec(0, 0, 0, 0, 3), vec(1, 1, 2, 1, -5), vec(1, 1, 1, 1, -2)},
		Outputs: []*tensor.Tensor{out}}
	op, err := newStridedSlice(n, StridedSliceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	for i, w := range []int{13, 11, 17, 15} {
		if got := getElem(out.Data, 2, i); got != w {
			t.Errorf("out[%d] = %d, want %d", i, got, w)
		}
	}
}

func TestStridedSliceErrors(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{4, 6}}
	vec := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "v", Type: tensor.Int32, Shape: []int{len(v)}, Const: true, Data: int32Bytes(v...)}
	}
	out := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: shape}
	}
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		out    *tensor.Tensor
		opts   StridedSliceOptions
		want   error
	}{
		{"ok", []*tensor.Tensor{in, vec(0, 0), vec(2, 3), vec(1, 1)}, out(2, 3), StridedSliceOptions{}, nil},
		{"zero stride", []*tensor.Tensor{in, vec(0, 0), vec(2, 3), vec(1, 0)}, out(2, 3), StridedSliceOptions{}, ErrInvalid},
		{"wrong output", []*tensor.Tensor{in, vec(0, 0), vec(2, 3), vec(1, 1)}, out(3, 2), StridedSliceOptions{}, ErrInvalid},
		{"short begin", []*tensor.Tensor{in, vec(0), vec(2, 3), vec(1, 1)}, out(2, 3), StridedSliceOptions{}, ErrInvalid},
		{"ellipsis", []*tensor.Tensor{in, vec(0, 0), vec(2, 3), vec(1, 1)}, out(2, 3), StridedSliceOptions{EllipsisMask: 1}, ErrUnsupported},
		{"new axis", []*tensor.Tensor{in, vec(0, 0), vec(2, 3), vec(1, 1)}, out(2, 3), StridedSliceOptions{NewAxisMask: 2}, ErrUnsupported},
		{"dynamic end", []*tensor.Tensor{in, vec(0, 0), {Name: "e", Type: tensor.Int32, Shape: []int{2}}, vec(1, 1)}, out(2, 3), StridedSliceOptions{}, ErrUnsupported},
		{"float begin", []*tensor.Tensor{in, {Name: "b", Type: tensor.Float32, Shape: []int{2}, Const: true, Data: make([]byte, 8)}, vec(2, 3), vec(1, 1)}, out(2, 3), StridedSliceOptions{}, ErrUnsupported},
		{"missing strides", []*tensor.Tensor{in, vec(0, 0), vec(2, 3)}, out(2, 3), StridedSliceOptions{}, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorSTRIDED_SLICE, Inputs: tc.inputs, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newStridedSlice(n, tc.opts)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
