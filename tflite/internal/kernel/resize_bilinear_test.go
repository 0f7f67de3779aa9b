package kernel

import (
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func bilinearOpts(align, half bool) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.ResizeBilinearOptionsStart(b)
		schema.ResizeBilinearOptionsAddAlignCorners(b, align)
		schema.ResizeBilinearOptionsAddHalfPixelCenters(b, half)
		return schema.BuiltinOptionsResizeBilinearOptions, schema.ResizeBilinearOptionsEnd(b)
	}
}

func TestResizeBilinearReference(t *testing.T) {
	size := func(h, w int32) refTensor { return constI32([]int{2}, h, w) }
	type geo struct {
		name        string
		inH, inW    int
		outH, outW  int32
		align, half bool
	}
	geos := []geo{
		{"up2x", 3, 4, 6, 8, false, false},
		{"up_frac", 3, 5, 7, 8, false, false},
		{"down", 7, 6, 3, 4, false, false},
		{"align", 3, 4, 7, 9, true, false},
		{"half", 3, 4, 7, 9, false, true},
		{"half_down", 8, 7, 3, 5, false, true},
	}
	var cases []refCase
	for i, g := range geos {
		version := int32(1)
		if g.half {
			version = 3
		}
		seed := uint64(90 + 3*i)
		cases = append(cases,
			refCase{name: "bilinear_float_" + g.name, version: version, options: bilinearOpts(g.align, g.half),
				inputs:  []refTensor{fIn(seed, 1, g.inH, g.inW, 3), size(g.outH, g.outW)},
				outputs: []refTensor{fOut(1, int(g.outH), int(g.outW), 3)}},
			refCase{name: "bilinear_uint8_" + g.name, version: version, options: bilinearOpts(g.align, g.half),
				inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 128, seed+1, 2, g.inH, g.inW, 3), size(g.outH, g.outW)},
				outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 2, int(g.outH), int(g.outW), 3)}},
			refCase{name: "bilinear_int8_" + g.name, version: max(version, 2), options: bilinearOpts(g.align, g.half),
				inputs:  []refTensor{qIn(tensor.Int8, 0.1, -5, seed+2, 1, g.inH, g.inW, 5), size(g.outH, g.outW)},
				outputs: []refTensor{qOut(tensor.Int8, 0.1, -5, 1, int(g.outH), int(g.outW), 5)}},
		)
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorRESIZE_BILINEAR
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestResizeErrors(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{1, 2, 2, 1}}
	size := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "size", Type: tensor.Int32, Shape: []int{len(v)}, Const: true, Data: int32Bytes(v...)}
	}
	out := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: shape}
	}
	tests := []struct {
		name        string
		in, size    *tensor.Tensor
		out         *tensor.Tensor
		align, half bool
		want        error
	}{
		{"ok", in, size(3, 5), out(1, 3, 5, 1), false, false, nil},
		{"both flags", in, size(3, 5), out(1, 3, 5, 1), true, true, ErrInvalid},
		{"wrong output", in, size(3, 5), out(1, 5, 3, 1), false, false, ErrInvalid},
		{"size of 3", in, size(3, 5, 1), out(1, 3, 5, 1), false, false, ErrInvalid},
		{"zero size", in, size(0, 5), out(1, 0, 5, 1), false, false, ErrInvalid},
		{"dynamic size", in, &tensor.Tensor{Name: "s", Type: tensor.Int32, Shape: []int{2}}, out(1, 3, 5, 1), false, false, ErrUnsupported},
		{"3-D input", &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{2, 2, 1}}, size(3, 5), out(3, 5, 1), false, false, ErrInvalid},
		{"int32 input", &tensor.Tensor{Name: "in", Type: tensor.Int32, Shape: []int{1, 2, 2, 1}}, size(3, 5), &tensor.Tensor{Name: "o", Type: tensor.Int32, Shape: []int{1, 3, 5, 1}}, false, false, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorRESIZE_BILINEAR, Inputs: []*tensor.Tensor{tc.in, tc.size}, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newResizeBilinear(n, ResizeBilinearOptions{AlignCorners: tc.align, HalfPixelCenters: tc.half})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("bilinear: err = %v, want %v", err, tc.want)
			}
			n.Code = schema.BuiltinOperatorRESIZE_NEAREST_NEIGHBOR
			_, err = newResizeNearestNeighbor(n, ResizeNearestNeighborOptions{AlignCorners: tc.align, HalfPixelCenters: tc.half})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("nearest: err = %v, want %v", err, tc.want)
			}
		})
	}
}
