package tflite_test

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// End-to-end tests on models written by tflite/builder. They always run
// (no shared models needed): each case builds a small graph, runs it through
// Load/NewInterpreter/Invoke and compares the outputs with values computed
// independently: float math (generated_floatref_test.go) or values worked
// out by hand in generated_float_test.go, and TFLite 2.2's own outputs for
// quantized arithmetic in generated_quant_test.go /
// generated_reference_test.go.

// arg describes one operator input or output of a single-op test graph.
type arg struct {
	name  string
	typ   builder.DType
	shape []int
	q     builder.Quant
	data  []byte // non-nil: a constant; nil: a graph input (or an output)
}

// input is a graph input argument.
func input(typ builder.DType, shape []int, q builder.Quant) arg {
	return arg{typ: typ, shape: shape, q: q}
}

// constant is a constant argument holding raw little-endian data.
func constant(typ builder.DType, shape []int, data []byte, q builder.Quant) arg {
	if data == nil {
		data = []byte{}
	}
	return arg{typ: typ, shape: shape, q: q, data: data}
}

// omitted marks a left-out optional input (index -1). TFLite 2.2 accepts
// it for FULLY_CONNECTED only; convolutions without bias have two inputs.
var omitted = arg{name: "-"}

func f32(shape ...int) arg { return input(builder.Float32, shape, builder.Quant{}) }

func f32c(shape []int, v ...float32) arg {
	return constant(builder.Float32, shape, builder.Float32Bytes(v), builder.Quant{})
}

func i32c(v ...int32) arg {
	return constant(builder.Int32, []int{len(v)}, int32Bytes(v), builder.Quant{})
}

func i32cShaped(shape []int, v ...int32) arg {
	return constant(builder.Int32, shape, int32Bytes(v), builder.Quant{})
}

// opModel writes a model with one operator: every non-constant argument of
// ins becomes a graph input (in order) and every out a graph output.
func opModel(opts builder.Options, ins []arg, outs ...arg) ([]byte, error) {
	b := builder.New()
	idx := make([]int, len(ins))
	for i, a := range ins {
		name := a.name
		if name == "" {
			name = "in" + string(rune('0'+i))
		}
		switch {
		case a.name == "-":
			idx[i] = builder.Omitted
		case a.data != nil:
			idx[i] = b.Const(name, a.typ, a.shape, a.data, a.q)
		default:
			idx[i] = b.Input(name, a.typ, a.shape, a.q)
		}
	}
	outIdx := make([]int, len(outs))
	for i, a := range outs {
		outIdx[i] = b.Tensor("out"+string(rune('0'+i)), a.typ, a.shape, a.q)
	}
	b.Op(opts, idx, outIdx)
	b.Output(outIdx...)
	return b.Finish()
}

// run loads buf, feeds the raw inputs and returns copies of the outputs.
func run(t *testing.T, buf []byte, inputs ...[]byte) [][]byte {
	t.Helper()
	m, err := tflite.Load(buf)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		t.Fatalf("NewInterpreter: %v", err)
	}
	if it.NumInputs() != len(inputs) {
		t.Fatalf("model has %d inputs, test feeds %d", it.NumInputs(), len(inputs))
	}
	for i, in := range inputs {
		if err := it.Input(i).CopyFrom(in); err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
	}
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	outs := make([][]byte, it.NumOutputs())
	for i := range outs {
		outs[i] = append([]byte(nil), it.Output(i).Bytes()...)
	}
	return outs
}

func int32Bytes(v []int32) []byte {
	out := make([]byte, 0, 4*len(v))
	for _, x := range v {
		out = binary.LittleEndian.AppendUint32(out, uint32(x))
	}
	return out
}

func bytesFloat32(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// closeFloats reports the first element where got and want differ by more
// than TFLite's float tolerance (1e-4 relative, 1e-5 absolute near zero).
func closeFloats(got, want []float32) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) || d > 1e-5+1e-4*math.Abs(float64(want[i])) {
			return i, false
		}
	}
	return 0, true
}

func float32Bytes(v []float32) []byte { return builder.Float32Bytes(v) }
