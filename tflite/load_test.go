package tflite

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// twoLayerModel returns an int8 model: input [1,4] -> FULLY_CONNECTED ->
// "mid" [1,3] -> FULLY_CONNECTED -> output [1,2], as the builder's object
// model so tests can break it field by field.
func twoLayerModel(t testing.TB) *builder.Model {
	t.Helper()
	b := builder.New()
	q := builder.PerTensor(0.5, -3)
	in := b.Input("input", builder.Int8, []int{1, 4}, q)
	w1 := b.ConstInt8("w1", []int{3, 4}, []int8{1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12}, builder.PerTensor(0.25, 0))
	b1 := b.ConstInt32("b1", []int{3}, []int32{10, -20, 30}, builder.PerTensor(0.125, 0))
	mid := b.Tensor("mid", builder.Int8, []int{1, 3}, builder.PerTensor(1, 2))
	w2 := b.ConstInt8("w2", []int{2, 3}, []int8{3, 1, -1, 2, -2, 4}, builder.PerTensor(0.5, 0))
	b2 := b.ConstInt32("b2", []int{2}, []int32{7, -7}, builder.PerTensor(0.5, 0))
	out := b.Tensor("output", builder.Int8, []int{1, 2}, builder.PerTensor(2, -1))
	b.Op(builder.FullyConnected{}, []int{in, w1, b1}, []int{mid})
	b.Op(builder.FullyConnected{}, []int{mid, w2, b2}, []int{out})
	b.Output(out)
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tensorIndex finds a tensor of subgraph 0 by name.
func tensorIndex(t testing.TB, m *builder.Model, name string) int {
	t.Helper()
	for i, tt := range m.Subgraphs[0].Tensors {
		if tt.Name == name {
			return i
		}
	}
	t.Fatalf("no tensor %q", name)
	return -1
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(t testing.TB, m *builder.Model)
		want    error
		mention string // substring the message must contain
	}{
		{"bad identifier", func(_ testing.TB, m *builder.Model) { m.OmitIdentifier = true }, ErrInvalidModel, "identifier"},
		{"schema version", func(_ testing.TB, m *builder.Model) { m.Version = 2 }, ErrInvalidModel, "version 2"},
		{"no subgraphs", func(_ testing.TB, m *builder.Model) { m.Subgraphs = nil }, ErrInvalidModel, "no subgraphs"},
		{"opcode index out of range", func(_ testing.TB, m *builder.Model) { m.Subgraphs[0].Operators[1].OpcodeIndex = 7 }, ErrInvalidModel, "opcode_index 7"},
		{"op input out of range", func(_ testing.TB, m *builder.Model) { m.Subgraphs[0].Operators[0].Inputs[1] = 99 }, ErrInvalidModel, "tensor index 99"},
		{"op output -1", func(_ testing.TB, m *builder.Model) { m.Subgraphs[0].Operators[0].Outputs[0] = -1 }, ErrInvalidModel, "tensor index -1"},
		{"graph input out of range", func(_ testing.TB, m *builder.Model) { m.Subgraphs[0].Inputs[0] = 42 }, ErrInvalidModel, "graph input 0"},
		{"graph output out of range", func(_ testing.TB, m *builder.Model) { m.Subgraphs[0].Outputs[0] = -5 }, ErrInvalidModel, "graph output 0"},
		{"buffer index out of range", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "w1")].Buffer = 1000
		}, ErrInvalidModel, "buffer index 1000"},
		{"buffer too short", func(t testing.TB, m *builder.Model) {
			b := m.Subgraphs[0].Tensors[tensorIndex(t, m, "w1")].Buffer
			m.Buffers[b] = m.Buffers[b][:11]
		}, ErrInvalidModel, "holds 11 bytes"},
		{"buffer too long", func(t testing.TB, m *builder.Model) {
			b := m.Subgraphs[0].Tensors[tensorIndex(t, m, "b2")].Buffer
			m.Buffers[b] = append(m.Buffers[b], 0, 0, 0, 0)
		}, ErrInvalidModel, "holds 12 bytes"},
		{"use before def", func(_ testing.TB, m *builder.Model) {
			ops := m.Subgraphs[0].Operators
			ops[0], ops[1] = ops[1], ops[0]
		}, ErrInvalidModel, "before any op writes it"},
		{"cycle", func(t testing.TB, m *builder.Model) {
			// op 0 now reads op 1's output, which depends on op 0.
			m.Subgraphs[0].Operators[0].Inputs[0] = int32(tensorIndex(t, m, "output"))
		}, ErrInvalidModel, "before any op writes it"},
		{"tensor written twice", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Operators[1].Outputs[0] = int32(tensorIndex(t, m, "mid"))
		}, ErrInvalidModel, "already written"},
		{"op writes a constant", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Operators[1].Outputs[0] = int32(tensorIndex(t, m, "w1"))
		}, ErrInvalidModel, "constant"},
		{"output never written", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Outputs = []int32{int32(tensorIndex(t, m, "mid")), int32(len(m.Subgraphs[0].Tensors))}
			m.Subgraphs[0].Tensors = append(m.Subgraphs[0].Tensors, builder.Tensor{Name: "orphan", Type: builder.Int8, Shape: []int32{1}})
		}, ErrInvalidModel, "never written"},
		{"constant graph input", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Inputs = []int32{int32(tensorIndex(t, m, "w1"))}
		}, ErrInvalidModel, "is a constant"},
		{"duplicate graph input", func(_ testing.TB, m *builder.Model) {
			m.Subgraphs[0].Inputs = append(m.Subgraphs[0].Inputs, m.Subgraphs[0].Inputs[0])
		}, ErrInvalidModel, "listed twice"},
		{"negative dimension", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Shape = []int32{1, -3}
		}, ErrInvalidModel, "dimension 1 is -3"},
		{"huge shape", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Shape = []int32{1 << 20, 1 << 20, 1 << 20}
		}, ErrInvalidModel, "tensor limit"},
		{"rank too large", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Shape = make([]int32, 17)
		}, ErrInvalidModel, "rank 17"},
		{"per-axis scale count", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "w1")].Quant = builder.PerAxis(0, []float32{1, 2})
		}, ErrInvalidModel, "2 scales for dimension 0 of size 3"},
		{"per-axis dimension out of range", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "w1")].Quant = builder.PerAxis(2, []float32{1, 2, 3})
		}, ErrInvalidModel, "quantized_dimension 2"},
		{"zero point count", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "w1")].Quant = builder.Quant{Scale: []float32{1, 2, 3}, ZeroPoint: []int64{0, 0}}
		}, ErrInvalidModel, "2 zero points for 3 scales"},
		{"zero scale", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Quant = builder.PerTensor(0, 0)
		}, ErrInvalidModel, "finite positive"},
		{"int8 zero point out of range", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Quant = builder.PerTensor(1, 200)
		}, ErrInvalidModel, "zero_point[0] = 200"},
		{"string tensor", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].Type = 5
		}, ErrUnsupported, "STRING"},
		{"variable tensor", func(t testing.TB, m *builder.Model) {
			m.Subgraphs[0].Tensors[tensorIndex(t, m, "mid")].IsVariable = true
		}, ErrUnsupported, "variable"},
		{"custom op", func(_ testing.TB, m *builder.Model) {
			m.OperatorCodes[0] = builder.OperatorCode{Builtin: builder.OpCustom, Custom: "TFLite_Detection_PostProcess", Version: 1}
		}, ErrUnsupported, `op 0 (CUSTOM "TFLite_Detection_PostProcess")`},
		{"unknown builtin", func(_ testing.TB, m *builder.Model) {
			m.OperatorCodes[0] = builder.OperatorCode{Builtin: 150, Version: 1}
		}, ErrUnsupported, "op 0 ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := twoLayerModel(t)
			tt.edit(t, m)
			_, err := Load(m.Encode())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load error = %v, want %v", err, tt.want)
			}
			if errors.Is(err, errPanic) {
				t.Fatalf("Load panicked: %v", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("Load error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// TestLoadTruncated loads every prefix of a valid model: each must fail
// cleanly (no panic, ErrInvalidModel) or, if the cut only drops unused
// bytes, load.
func TestLoadTruncated(t *testing.T) {
	buf := twoLayerModel(t).Encode()
	for n := 0; n < len(buf); n++ {
		_, err := Load(append([]byte(nil), buf[:n]...))
		if err == nil {
			continue
		}
		if errors.Is(err, errPanic) || !errors.Is(err, ErrInvalidModel) {
			t.Fatalf("Load(%d of %d bytes) = %v, want ErrInvalidModel without panic", n, len(buf), err)
		}
	}
}

// TestLoadCorruptBytes flips every byte of a valid model in turn; Load may
// accept or refuse the result but must never panic.
func TestLoadCorruptBytes(t *testing.T) {
	orig := twoLayerModel(t).Encode()
	for i := range orig {
		for _, v := range []byte{0x00, 0xff, 0x80, orig[i] ^ 0x01} {
			buf := append([]byte(nil), orig...)
			buf[i] = v
			if _, err := Load(buf); errors.Is(err, errPanic) {
				t.Fatalf("byte %d = %#x: %v", i, v, err)
			}
		}
	}
}
