package tflite

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// padConvModel builds input → PAD → a VALID convolution (depthwise or
// not) → output; with padOut the PAD's output is a graph output too,
// which keeps the PAD in the graph (the unfused reference).
// The input has zero point zp, the PAD's output padQuant.
func padConvModel(t *testing.T, r *rand.Rand, typ builder.DType, depthwise bool, h, w, c, stride int, pads []int32, zp int64, padQuant builder.Quant, padOut bool) []byte {
	t.Helper()
	inQ := builder.PerTensor(0.05, zp)
	b := builder.New()
	in := b.Input("in", typ, []int{1, h, w, c}, inQ)
	ph, pw := h+int(pads[2]+pads[3]), w+int(pads[4]+pads[5])
	padded := b.Tensor("padded", typ, []int{1, ph, pw, c}, padQuant)
	b.Op(builder.Pad{}, []int{in, b.ConstInt32("paddings", []int{4, 2}, pads, builder.Quant{})}, []int{padded})
	oh, ow := (ph-3)/stride+1, (pw-3)/stride+1
	outC := c
	var filter int
	weights := make([]int8, 9*c*c)
	for i := range weights {
		weights[i] = int8(r.IntN(255) - 127)
	}
	fq := builder.PerTensor(0.01, 0)
	if typ == builder.Uint8 {
		fq = builder.PerTensor(0.01, 128)
	}
	fdata := func(n int) []byte {
		d := make([]byte, n)
		for i := range d {
			d[i] = byte(weights[i])
		}
		return d
	}
	out := b.Tensor("out", typ, []int{1, oh, ow, outC}, builder.PerTensor(0.2, zp/2))
	if depthwise {
		filter = b.Const("filter", typ, []int{1, 3, 3, c}, fdata(9*c), fq)
		b.Op(builder.DepthwiseConv2D{Padding: builder.Valid, StrideH: stride, StrideW: stride}, []int{padded, filter, -1}, []int{out})
	} else {
		filter = b.Const("filter", typ, []int{outC, 3, 3, c}, fdata(9*c*outC), fq)
		b.Op(builder.Conv2D{Padding: builder.Valid, StrideH: stride, StrideW: stride}, []int{padded, filter, -1}, []int{out})
	}
	if padOut {
		b.Output(out, padded)
	} else {
		b.Output(out)
	}
	buf, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return buf
}

// TestPadFusion checks that a PAD fused into the convolution it feeds
// gives the bytes of the unfused graph, and that PADs the rule excludes
// stay in the graph.
func TestPadFusion(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	run := func(buf []byte, in []byte) ([]byte, int) {
		m, err := Load(buf)
		if err != nil {
			t.Fatal(err)
		}
		it, err := NewInterpreter(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		copy(it.Input(0).t.Data, in)
		if err := it.Invoke(context.Background()); err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(it.Output(0).t.Data), len(m.exec)
	}
	for i, tc := range []struct {
		typ       builder.DType
		depthwise bool
		stride    int
		pads      []int32
	}{
		{builder.Int8, true, 1, []int32{0, 0, 1, 1, 1, 1, 0, 0}},
		{builder.Int8, true, 2, []int32{0, 0, 1, 1, 1, 1, 0, 0}},
		{builder.Uint8, true, 2, []int32{0, 0, 0, 2, 1, 0, 0, 0}},
		{builder.Int8, false, 2, []int32{0, 0, 1, 1, 1, 1, 0, 0}},
		{builder.Uint8, false, 1, []int32{0, 0, 2, 0, 0, 3, 0, 0}},
	} {
		t.Run(fmt.Sprintf("case%d", i), func(t *testing.T) {
			h, w, c := 9+r.IntN(6), 9+r.IntN(6), 16
			seed := r.Uint64()
			zp := int64(r.IntN(200) - 100)
			if tc.typ == builder.Uint8 {
				zp = int64(r.IntN(256))
			}
			model := func(padOut bool) []byte {
				return padConvModel(t, rand.New(rand.NewPCG(seed, 1)), tc.typ, tc.depthwise, h, w, c, tc.stride, tc.pads, zp, builder.PerTensor(0.05, zp), padOut)
			}
			in := make([]byte, h*w*c)
			for j := range in {
				in[j] = byte(r.IntN(256))
			}
			fused, fusedOps := run(model(false), in)
			ref, refOps := run(model(true), in)
			if fusedOps != 1 || refOps != 2 {
				t.Fatalf("ops run: fused %d, reference %d; want 1 and 2", fusedOps, refOps)
			}
			if !bytes.Equal(fused, ref) {
				t.Fatalf("fused output differs from the unfused graph's")
			}
		})
	}
	t.Run("requantizing pad stays", func(t *testing.T) {
		buf := padConvModel(t, rand.New(rand.NewPCG(9, 1)), builder.Int8, true, 8, 8, 16, 1, []int32{0, 0, 1, 1, 1, 1, 0, 0}, 3, builder.PerTensor(0.07, 3), false)
		in := make([]byte, 8*8*16)
		if _, ops := run(buf, in); ops != 2 {
			t.Fatalf("%d ops run, want 2 (a PAD whose output quantization differs is not fused)", ops)
		}
	})
	t.Run("channel pad stays", func(t *testing.T) {
		rr := rand.New(rand.NewPCG(9, 2))
		b := builder.New()
		in := b.Input("in", builder.Int8, []int{1, 8, 8, 16}, builder.PerTensor(0.05, 1))
		padded := b.Tensor("padded", builder.Int8, []int{1, 8, 8, 18}, builder.PerTensor(0.05, 1))
		b.Op(builder.Pad{}, []int{in, b.ConstInt32("paddings", []int{4, 2}, []int32{0, 0, 0, 0, 0, 0, 1, 1}, builder.Quant{})}, []int{padded})
		w := make([]byte, 9*18)
		for i := range w {
			w[i] = byte(rr.IntN(255) - 127)
		}
		filter := b.Const("filter", builder.Int8, []int{1, 3, 3, 18}, w, builder.PerTensor(0.01, 0))
		out := b.Tensor("out", builder.Int8, []int{1, 6, 6, 18}, builder.PerTensor(0.2, 0))
		b.Op(builder.DepthwiseConv2D{Padding: builder.Valid}, []int{padded, filter, -1}, []int{out})
		b.Output(out)
		buf, err := b.Finish()
		if err != nil {
			t.Fatal(err)
		}
		if _, ops := run(buf, make([]byte, 8*8*16)); ops != 2 {
			t.Fatalf("%d ops run, want 2 (padding channels is not fused)", ops)
		}
	})
}
