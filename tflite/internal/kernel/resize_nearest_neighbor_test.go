package kernel

import (
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func nearestOpts(align, half bool) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.ResizeNearestNeighborOptionsStart(b)
		schema.ResizeNearestNeighborOptionsAddAlignCorners(b, align)
		schema.ResizeNearestNeighborOptionsAddHalfPixelCenters(b, half)
		return schema.BuiltinOptionsResizeNearestNeighborOptions, schema.ResizeNearestNeighborOptionsEnd(b)
	}
}

func TestResizeNearestNeighborReference(t *testing.T) {
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
		// TFLite 2.2 ignores align_corners here (it floors with the
		// unaligned scale); TestNearestIndicesHalfPixel covers the flag.
	}
	var cases []refCase
	for i, g := range geos {
		seed := uint64(130 + 3*i)
		cases = append(cases,
			refCase{name: "nearest_float_" + g.name, options: nearestOpts(g.align, g.half),
				inputs:  []refTensor{fIn(seed, 1, g.inH, g.inW, 3), size(g.outH, g.outW)},
				outputs: []refTensor{fOut(1, int(g.outH), int(g.outW), 3)}},
			refCase{name: "nearest_uint8_" + g.name, options: nearestOpts(g.align, g.half),
				inputs:  []refTensor{qIn(tensor.Uint8, 0.1, 128, seed+1, 2, g.inH, g.inW, 2), size(g.outH, g.outW)},
				outputs: []refTensor{qOut(tensor.Uint8, 0.1, 128, 2, int(g.outH), int(g.outW), 2)}},
			refCase{name: "nearest_int8_" + g.name, version: 2, options: nearestOpts(g.align, g.half),
				inputs:  []refTensor{qIn(tensor.Int8, 0.1, -5, seed+2, 1, g.inH, g.inW, 5), size(g.outH, g.outW)},
				outputs: []refTensor{qOut(tensor.Int8, 0.1, -5, 1, int(g.outH), int(g.outW), 5)}},
		)
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorRESIZE_NEAREST_NEIGHBOR
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestNearestIndicesHalfPixel checks half_pixel_centers and align_corners,
// which TFLite 2.2 does not honour, by hand: output i samples input
// floor((i+0.5)*in/out), or round(i*(in-1)/(out-1)) when aligned.
func TestNearestIndicesHalfPixel(t *testing.T) {
	tests := []struct {
		in, out int
		align   bool
		want    []int
	}{
		// scale 0.5: (0.5, 1.5, 2.5, 3.5)*0.5 → 0.25 0.75 1.25 1.75.
		{2, 4, false, []int{0, 0, 1, 1}},
		// scale 4/3: 0.67 2 3.33 → 0 2 3.
		{4, 3, false, []int{0, 2, 3}},
	}
	for _, tc := range tests {
		got := nearestIndices(tc.in, tc.out, tc.align, true)
		if !equalShape(got, tc.want) {
			t.Errorf("in %d out %d: got %v, want %v", tc.in, tc.out, got, tc.want)
		}
	}
	// align_corners rounds: in 3, out 4 → scale 2/3: 0, 0.67, 1.33, 2 → 0 1 1 2.
	if got := nearestIndices(3, 4, true, false); !equalShape(got, []int{0, 1, 1, 2}) {
		t.Errorf("align: got %v", got)
	}
}

// TestResizeNearestNeighborAlignCorners is TFLite's AlignCorners test
// case: 2x2 {3, 6, 9, 12} to 3x3.
func TestResizeNearestNeighborAlignCorners(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{1, 2, 2, 1}, Data: float32Bytes(3, 6, 9, 12)}
	size := &tensor.Tensor{Name: "size", Type: tensor.Int32, Shape: []int{2}, Const: true, Data: int32Bytes(3, 3)}
	out := &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: []int{1, 3, 3, 1}, Data: make([]byte, 36)}
	n := &Node{Code: schema.BuiltinOperatorRESIZE_NEAREST_NEIGHBOR, Inputs: []*tensor.Tensor{in, size}, Outputs: []*tensor.Tensor{out}}
	op, err := newResizeNearestNeighbor(n, ResizeNearestNeighborOptions{AlignCorners: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []float32{3, 6, 6, 9, 12, 12, 9, 12, 12}
	for i, w := range want {
		if got := out.Float32()[i]; got != w {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}
