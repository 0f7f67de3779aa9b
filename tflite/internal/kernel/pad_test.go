package kernel

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func TestPadReference(t *testing.T) {
	cases := []refCase{
		{name: "pad_int8_image_style", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.02, -14, 41, 1, 5, 4, 3), constI32([]int{4, 2}, 0, 0, 1, 1, 1, 1, 0, 0)},
			outputs: []refTensor{qOut(tensor.Int8, 0.02, -14, 1, 7, 6, 3)}},
		// TF 2.2 mis-sizes the output for int64 paddings, so the reference
		// case uses int32; TestPadValues covers int64.
		{name: "pad_int8_all_dims", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.02, 5, 42, 2, 3, 2, 2), constI32([]int{4, 2}, 1, 0, 0, 2, 2, 1, 1, 1)},
			outputs: []refTensor{qOut(tensor.Int8, 0.02, 5, 3, 5, 5, 4)}},
		{name: "pad_uint8_asym", version: 1,
			inputs:  []refTensor{qIn(tensor.Uint8, 0.02, 128, 43, 1, 4, 4, 2), constI32([]int{4, 2}, 0, 0, 0, 1, 2, 0, 0, 0)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.02, 128, 1, 5, 6, 2)}},
		{name: "pad_float_3d", version: 1,
			inputs:  []refTensor{fIn(44, 2, 3, 4), constI32([]int{3, 2}, 1, 1, 0, 2, 3, 0)},
			outputs: []refTensor{fOut(4, 5, 7)}},
		{name: "pad_float_2d", version: 1,
			inputs:  []refTensor{fIn(45, 3, 4), constI32([]int{2, 2}, 2, 1, 1, 3)},
			outputs: []refTensor{fOut(6, 8)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorPAD
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

func TestPadV2Reference(t *testing.T) {
	qConst := func(typ tensor.DType, scale float32, zp int64, v byte) refTensor {
		return refTensor{typ: typ, shape: []int{1}, scale: []float32{scale}, zp: []int64{zp}, data: []byte{v}, konst: true}
	}
	cases := []refCase{
		{name: "padv2_float_const", version: 1,
			inputs: []refTensor{fIn(51, 1, 3, 3, 2), constI32([]int{4, 2}, 0, 0, 1, 2, 2, 1, 0, 0),
				{typ: tensor.Float32, shape: []int{1}, data: float32Bytes(-3.5), konst: true}},
			outputs: []refTensor{fOut(1, 6, 6, 2)}},
		{name: "padv2_int8_const", version: 2,
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 52, 1, 3, 4, 2), constI32([]int{4, 2}, 0, 0, 1, 1, 2, 0, 0, 1), qConst(tensor.Int8, 0.05, -3, 0x85)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -3, 1, 5, 6, 3)}},
		{name: "padv2_uint8_const", version: 1,
			inputs:  []refTensor{qIn(tensor.Uint8, 0.05, 100, 53, 1, 2, 3, 2), constI32([]int{4, 2}, 0, 1, 1, 0, 0, 2, 0, 0), qConst(tensor.Uint8, 0.05, 100, 7)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.05, 100, 2, 3, 5, 2)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorPADV2
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestPadValues checks the pad element choice by hand.
func TestPadValues(t *testing.T) {
	paddings := &tensor.Tensor{Name: "paddings", Type: tensor.Int64, Shape: []int{1, 2}, Const: true, Data: int64Bytes(1, 2)}
	tests := []struct {
		name     string
		typ      tensor.DType
		quant    bool
		constant *tensor.Tensor
		in       []byte
		want     []byte
	}{
		{"quantized uses zero point", tensor.Int8, true, nil, []byte{1, 2}, []byte{0xf9, 1, 2, 0xf9, 0xf9}},
		{"plain int8 uses 0", tensor.Int8, false, nil, []byte{1, 2}, []byte{0, 1, 2, 0, 0}},
		{"non-constant constant_values read at eval", tensor.Uint8, false,
			&tensor.Tensor{Name: "cv", Type: tensor.Uint8, Shape: []int{}, Data: []byte{9}}, []byte{1, 2}, []byte{9, 1, 2, 9, 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &tensor.Tensor{Name: "in", Type: tc.typ, Shape: []int{2}, Data: tc.in}
			out := &tensor.Tensor{Name: "out", Type: tc.typ, Shape: []int{5}, Data: make([]byte, 5)}
			if tc.quant {
				in.Scale, in.ZeroPoint = []float32{0.5}, []int64{-7}
				out.Scale, out.ZeroPoint = []float32{0.5}, []int64{-7}
			}
			n := &Node{Code: schema.BuiltinOperatorPADV2, Inputs: []*tensor.Tensor{in, paddings, tc.constant}, Outputs: []*tensor.Tensor{out}}
			op, err := newPadV2(n, PadV2Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := op.Eval(); err != nil {
				t.Fatal(err)
			}
			if string(out.Data) != string(tc.want) {
				t.Fatalf("out = %v, want %v", out.Data, tc.want)
			}
		})
	}
}

func TestPadErrors(t *testing.T) {
	in := func() *tensor.Tensor { return &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{2, 3}} }
	out := func(shape ...int) *tensor.Tensor {
		return &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: shape}
	}
	pads := func(v ...int32) *tensor.Tensor {
		return &tensor.Tensor{Name: "paddings", Type: tensor.Int32, Shape: []int{len(v) / 2, 2}, Const: true, Data: int32Bytes(v...)}
	}
	tests := []struct {
		name   string
		inputs []*tensor.Tensor
		out    *tensor.Tensor
		want   error
	}{
		{"ok", []*tensor.Tensor{in(), pads(1, 0, 0, 1)}, out(3, 4), nil},
		{"wrong output shape", []*tensor.Tensor{in(), pads(1, 0, 0, 1)}, out(3, 3), ErrInvalid},
		{"negative padding", []*tensor.Tensor{in(), pads(-1, 0, 0, 1)}, out(1, 4), ErrInvalid},
		{"paddings rank mismatch", []*tensor.Tensor{in(), pads(1, 1)}, out(4, 3), ErrInvalid},
		{"dynamic paddings", []*tensor.Tensor{in(), {Name: "p", Type: tensor.Int32, Shape: []int{2, 2}}}, out(3, 4), ErrUnsupported},
		{"float paddings", []*tensor.Tensor{in(), {Name: "p", Type: tensor.Float32, Shape: []int{2, 2}, Const: true, Data: make([]byte, 16)}}, out(2, 3), ErrUnsupported},
		{"dtype mismatch", []*tensor.Tensor{in(), pads(0, 0, 0, 0)}, &tensor.Tensor{Name: "o", Type: tensor.Int8, Shape: []int{2, 3}}, ErrInvalid},
		{"missing paddings", []*tensor.Tensor{in()}, out(2, 3), ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &Node{Code: schema.BuiltinOperatorPAD, Inputs: tc.inputs, Outputs: []*tensor.Tensor{tc.out}}
			_, err := newPad(n, PadOptions{})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// PADV2's constant must share the output's quantization.
	qin := &tensor.Tensor{Name: "in", Type: tensor.Int8, Shape: []int{2}, Scale: []float32{0.5}, ZeroPoint: []int64{1}}
	qout := &tensor.Tensor{Name: "out", Type: tensor.Int8, Shape: []int{3}, Scale: []float32{0.5}, ZeroPoint: []int64{1}}
	cv := &tensor.Tensor{Name: "cv", Type: tensor.Int8, Shape: []int{1}, Scale: []float32{0.25}, ZeroPoint: []int64{1}, Const: true, Data: []byte{3}}
	n := &Node{Code: schema.BuiltinOperatorPADV2, Inputs: []*tensor.Tensor{qin, pads(1, 0), cv}, Outputs: []*tensor.Tensor{qout}}
	if _, err := newPadV2(n, PadV2Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("constant with other scale: err = %v, want ErrInvalid", err)
	}
}

// TestPad5D pads a 5-D float tensor (beyond TFLite 2.2's 4-D limit) and
// checks the result by hand.
func TestPad5D(t *testing.T) {
	in := &tensor.Tensor{Name: "in", Type: tensor.Float32, Shape: []int{1, 1, 1, 1, 2}, Data: float32Bytes(1, 2)}
	paddings := &tensor.Tensor{Name: "paddings", Type: tensor.Int32, Shape: []int{5, 2}, Const: true,
		Data: int32Bytes(0, 0, 0, 0, 1, 0, 0, 0, 0, 1)}
	out := &tensor.Tensor{Name: "out", Type: tensor.Float32, Shape: []int{1, 1, 2, 1, 3}, Data: make([]byte, 24)}
	n := &Node{Code: schema.BuiltinOperatorPAD, Inputs: []*tensor.Tensor{in, paddings}, Outputs: []*tensor.Tensor{out}}
	op, err := newPad(n, PadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	for i, w := range []float32{0, 0, 0, 1, 2, 0} {
		if got := out.Float32()[i]; got != w {
			t.Errorf("out[%d] = %v, want %v", i, got, w)
		}
	}
}

// TestPadSplitAcrossPool checks that PAD split across workers writes the
// bytes one worker writes, on outputs big enough to split, padding in
// every dimension and rows that wrap across several dimensions.
func TestPadSplitAcrossPool(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 7))
	pools := []*parallel.Pool{parallel.New(2), parallel.New(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	shapes := [][]int{{1, 112, 112, 16}, {2, 40, 30, 32}, {3, 5, 70, 64}, {1, 300, 256}}
	for _, shape := range shapes {
		for trial := 0; trial < 4; trial++ {
			rank := len(shape)
			pads := make([]int32, 2*rank)
			want := make([]int, rank)
			for d := range shape {
				if trial > 0 || d > 0 {
					pads[2*d], pads[2*d+1] = int32(r.IntN(3)), int32(r.IntN(3))
				}
				want[d] = shape[d] + int(pads[2*d]+pads[2*d+1])
			}
			in := &tensor.Tensor{Name: "in", Type: tensor.Int8, Shape: shape, Scale: []float32{0.1}, ZeroPoint: []int64{-7}}
			in.Data = make([]byte, in.ByteSize())
			for i := range in.Data {
				in.Data[i] = byte(r.IntN(256))
			}
			paddings := &tensor.Tensor{Name: "paddings", Type: tensor.Int32, Shape: []int{rank, 2}, Const: true, Data: int32Bytes(pads...)}
			run := func(pool *parallel.Pool) []byte {
				out := &tensor.Tensor{Name: "out", Type: tensor.Int8, Shape: want, Scale: []float32{0.1}, ZeroPoint: []int64{-7}}
				out.Data = make([]byte, out.ByteSize())
				for i := range out.Data {
					out.Data[i] = 0x55 // every byte must be written
				}
				n := &Node{Code: schema.BuiltinOperatorPAD, Inputs: []*tensor.Tensor{in, paddings}, Outputs: []*tensor.Tensor{out}, Pool: pool}
				op, err := newPad(n, PadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if err := op.Eval(); err != nil {
					t.Fatal(err)
				}
				return out.Data
			}
			single := run(nil)
			if len(single) < splitCopyBytes {
				t.Fatalf("shape %v pads %v: output %d bytes does not split", shape, pads, len(single))
			}
			for _, pool := range pools {
				if got := run(pool); !bytes.Equal(got, single) {
					t.Fatalf("shape %v pads %v: %d workers differ from one", shape, pads, pool.Workers())
				}
			}
		}
	}
}
