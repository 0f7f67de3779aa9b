package kernel

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

const (
	ewActNone  = schema.ActivationFunctionTypeNONE
	ewActRelu  = schema.ActivationFunctionTypeRELU
	ewActRelu6 = schema.ActivationFunctionTypeRELU6
	ewActN1To1 = schema.ActivationFunctionTypeRELU_N1_TO_1
)

func addOpts(act schema.ActivationFunctionType) func(*flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
	return func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT) {
		schema.AddOptionsStart(b)
		schema.AddOptionsAddFusedActivationFunction(b, act)
		return schema.BuiltinOptionsAddOptions, schema.AddOptionsEnd(b)
	}
}

// TestAddReference compares ADD with TFLite 2.2 on random inputs: differing
// input scales, broadcasting in several dimensions, each fused activation.
func TestAddReference(t *testing.T) {
	cases := []refCase{
		{name: "add_int8_same", options: addOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Int8, 0.05, -3, 11, 1, 8, 8, 3), qIn(tensor.Int8, 0.1, 5, 12, 1, 8, 8, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.12, -10, 1, 8, 8, 3)}},
		// The residual ADD of ResNet/MobileNetV2: equal-ish scales, RELU.
		{name: "add_int8_residual_relu", options: addOpts(ewActRelu),
			inputs:  []refTensor{qIn(tensor.Int8, 0.0235, -128, 13, 1, 6, 6, 16), qIn(tensor.Int8, 0.0411, 7, 14, 1, 6, 6, 16)},
			outputs: []refTensor{qOut(tensor.Int8, 0.0377, -128, 1, 6, 6, 16)}},
		{name: "add_int8_bcast_channel_relu6", options: addOpts(ewActRelu6),
			inputs:  []refTensor{qIn(tensor.Int8, 0.03, 2, 15, 1, 4, 5, 3), qIn(tensor.Int8, 0.02, -1, 16, 3)},
			outputs: []refTensor{qOut(tensor.Int8, 0.05, -20, 1, 4, 5, 3)}},
		{name: "add_int8_bcast_both", options: addOpts(ewActN1To1),
			inputs:  []refTensor{qIn(tensor.Int8, 0.01, 0, 17, 2, 1, 3, 1), qIn(tensor.Int8, 0.007, 3, 18, 1, 4, 1, 5)},
			outputs: []refTensor{qOut(tensor.Int8, 0.009, -4, 2, 4, 3, 5)}},
		// mobilenet_v2_quantized's first residual ADD (op 14), exactly.
		{name: "add_int8_mobilenet_v2_op14", options: addOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Int8, 0.02703838050365448, -3, 27, 1, 56, 56, 24), qIn(tensor.Int8, 0.028132501989603043, -1, 28, 1, 56, 56, 24)},
			outputs: []refTensor{qOut(tensor.Int8, 0.035842496901750565, -3, 1, 56, 56, 24)}},
		{name: "add_uint8_same", options: addOpts(ewActNone),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.0078125, 128, 19, 1, 7, 7, 4), qIn(tensor.Uint8, 0.02, 100, 20, 1, 7, 7, 4)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.025, 120, 1, 7, 7, 4)}},
		{name: "add_uint8_bcast_relu", options: addOpts(ewActRelu),
			inputs:  []refTensor{qIn(tensor.Uint8, 0.04, 10, 21, 3, 1, 6), qIn(tensor.Uint8, 0.03, 200, 22, 3, 5, 1)},
			outputs: []refTensor{qOut(tensor.Uint8, 0.06, 90, 3, 5, 6)}},
		{name: "add_float_same", options: addOpts(ewActNone),
			inputs:  []refTensor{fIn(23, 2, 5, 5, 3), fIn(24, 2, 5, 5, 3)},
			outputs: []refTensor{fOut(2, 5, 5, 3)}},
		{name: "add_float_bcast_relu", options: addOpts(ewActRelu),
			inputs:  []refTensor{fIn(25, 1, 3, 4, 2), fIn(26, 1, 1, 4, 1)},
			outputs: []refTensor{fOut(1, 3, 4, 2)}},
	}
	for _, c := range cases {
		c.code = schema.BuiltinOperatorADD
		c.version = 2
		if c.inputs[0].typ == tensor.Float32 {
			c.version = 1
		}
		t.Run(c.name, func(t *testing.T) { runRefCase(t, c) })
	}
}

// TestAddByHand checks the quantized arithmetic on values worked out by
// hand: with both input scales 1 and output scale 2 the result is
// (a+b)/2 rounded half away from zero.
func TestAddByHand(t *testing.T) {
	a := ewTensor("a", tensor.Int8, 1, 0, 4)
	b := ewTensor("b", tensor.Int8, 1, 0, 4)
	out := ewTensor("out", tensor.Int8, 2, 0, 4)
	copy(a.Data, int8Bytes([]int8{1, -1, 100, -128}))
	copy(b.Data, int8Bytes([]int8{2, -2, 100, -128}))
	n := &Node{Code: schema.BuiltinOperatorADD, Inputs: []*tensor.Tensor{a, b}, Outputs: []*tensor.Tensor{out}}
	op, err := newAdd(n, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Eval(); err != nil {
		t.Fatal(err)
	}
	want := []int8{2, -2, 100, -128} // 1.5→2, -1.5→-2, 100, -128
	for i, w := range want {
		if got := out.Int8()[i]; got != w {
			t.Errorf("out[%d] = %d, want %d", i, got, w)
		}
	}
}

// ewTensor makes a per-tensor quantized (or float, when scale is 0) tensor
// with allocated data.
func ewTensor(name string, typ tensor.DType, scale float32, zp int64, shape ...int) *tensor.Tensor {
	t := &tensor.Tensor{Name: name, Type: typ, Shape: shape}
	if scale != 0 {
		t.Scale, t.ZeroPoint = []float32{scale}, []int64{zp}
	}
	t.Data = alignedBytes(t.ByteSize())
	return t
}

// TestBinaryErrors covers the validation shared by ADD, SUB and MUL.
func TestBinaryErrors(t *testing.T) {
	q := func(typ tensor.DType, shape ...int) *tensor.Tensor { return ewTensor("q", typ, 0.1, 0, shape...) }
	tests := []struct {
		name    string
		a, b, o *tensor.Tensor
		act     schema.ActivationFunctionType
		want    error
	}{
		{"type mismatch", q(tensor.Int8, 4), q(tensor.Uint8, 4), q(tensor.Int8, 4), ewActNone, ErrInvalid},
		{"no broadcast", q(tensor.Int8, 2, 3), q(tensor.Int8, 2, 4), q(tensor.Int8, 2, 4), ewActNone, ErrInvalid},
		{"wrong output shape", q(tensor.Int8, 2, 3), q(tensor.Int8, 3), q(tensor.Int8, 3), ewActNone, ErrInvalid},
		{"rank 5", q(tensor.Int8, 1, 1, 1, 1, 2), q(tensor.Int8, 2), q(tensor.Int8, 1, 1, 1, 1, 2), ewActNone, ErrUnsupported},
		{"int32", ewTensor("i", tensor.Int32, 0, 0, 2), ewTensor("i", tensor.Int32, 0, 0, 2), ewTensor("i", tensor.Int32, 0, 0, 2), ewActNone, ErrUnsupported},
		{"missing scale", ewTensor("a", tensor.Int8, 0, 0, 2), q(tensor.Int8, 2), q(tensor.Int8, 2), ewActNone, ErrInvalid},
		{"per-axis", &tensor.Tensor{Name: "pa", Type: tensor.Int8, Shape: []int{2}, Scale: []float32{1, 2}, ZeroPoint: []int64{0, 0}}, q(tensor.Int8, 2), q(tensor.Int8, 2), ewActNone, ErrInvalid},
		{"zero point out of range", &tensor.Tensor{Name: "zp", Type: tensor.Int8, Shape: []int{2}, Scale: []float32{1}, ZeroPoint: []int64{200}}, q(tensor.Int8, 2), q(tensor.Int8, 2), ewActNone, ErrInvalid},
		{"bad activation", q(tensor.Int8, 2), q(tensor.Int8, 2), q(tensor.Int8, 2), schema.ActivationFunctionTypeTANH, ErrUnsupported},
	}
	for _, tc := range tests {
		for _, op := range []struct {
			name string
			new  func(n *Node) (Op, error)
		}{
			{"ADD", func(n *Node) (Op, error) { return newAdd(n, AddOptions{Activation: tc.act}) }},
			{"SUB", func(n *Node) (Op, error) { return newSub(n, SubOptions{Activation: tc.act}) }},
			{"MUL", func(n *Node) (Op, error) { return newMul(n, MulOptions{Activation: tc.act}) }},
		} {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				n := &Node{Code: schema.BuiltinOperatorADD, Inputs: []*tensor.Tensor{tc.a, tc.b}, Outputs: []*tensor.Tensor{tc.o}}
				_, err := op.new(n)
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			})
		}
	}
	n := &Node{Code: schema.BuiltinOperatorADD, Inputs: []*tensor.Tensor{q(tensor.Int8, 2)}, Outputs: []*tensor.Tensor{q(tensor.Int8, 2)}}
	if _, err := newAdd(n, AddOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("one input: got %v, want ErrInvalid", err)
	}
}

// TestAddOptionsParse checks the parser against a wrong options table.
func TestAddOptionsParse(t *testing.T) {
	c := refCase{code: schema.BuiltinOperatorADD, options: mulOpts(ewActRelu),
		inputs:  []refTensor{fIn(1, 2), fIn(2, 2)},
		outputs: []refTensor{fOut(2)}}
	n := c.node(c.buildModel())
	if _, err := prepareAdd(n); !errors.Is(err, ErrInvalid) {
		t.Errorf("MulOptions on ADD: got %v, want ErrInvalid", err)
	}
	c.options = addOpts(ewActRelu6)
	n = c.node(c.buildModel())
	opts, err := parseAddOptions(n.Op)
	if err != nil || opts.Activation != ewActRelu6 {
		t.Errorf("parseAddOptions = %+v, %v; want RELU6", opts, err)
	}
}

// TestAddTableSplitAcrossPool runs a table ADD big enough for several
// parts on a 3-worker pool and compares it with the single-goroutine run.
func TestAddTableSplitAcrossPool(t *testing.T) {
	pool := parallel.New(3)
	defer pool.Close()
	r := rand.New(rand.NewPCG(6, 6))
	shape := []int{1, 70, 70, 24} // 117 600 elements: 8 parts
	a, b := ewTensor("a", tensor.Int8, 0.03, -3, shape...), ewTensor("b", tensor.Int8, 0.02, 5, shape...)
	for i := range a.Data {
		a.Data[i], b.Data[i] = byte(r.Uint32()), byte(r.Uint32())
	}
	run := func(p *parallel.Pool) []byte {
		out := ewTensor("out", tensor.Int8, 0.04, -1, shape...)
		op, err := newAdd(&Node{Code: schema.BuiltinOperatorADD, Inputs: []*tensor.Tensor{a, b}, Outputs: []*tensor.Tensor{out}, Pool: p}, AddOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := op.Eval(); err != nil {
			t.Fatal(err)
		}
		return out.Data
	}
	if !bytes.Equal(run(pool), run(nil)) {
		t.Fatal("pooled table ADD differs from the single-goroutine run")
	}
}
