package inspection

import (
	"context"
	"errors"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

func tiny(t *testing.T) []byte {
	buf, err := builder.TinyClassifier(1)
	if err != nil {
		t.Fatal(err)
	}
	return buf
}

// customOpModel is the tiny classifier with its SOFTMAX (op 1) replaced by
// a custom operator the engine does not know.
func customOpModel(t *testing.T) []byte {
	b := builder.New()
	in := b.Input("input", builder.Int8, []int{1, 4}, builder.PerTensor(0.1, 0))
	out := b.Tensor("out", builder.Int8, []int{1, 4}, builder.PerTensor(0.1, 0))
	mid := b.Tensor("mid", builder.Int8, []int{1, 4}, builder.PerTensor(0.1, 0))
	b.Op(builder.Relu{}, []int{in}, []int{mid})
	b.Op(builder.Relu{}, []int{mid}, []int{out})
	b.Output(out)
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	m.OperatorCodes = append(m.OperatorCodes, builder.OperatorCode{Builtin: builder.OpCustom, Version: 1, Custom: "EdgefleetMystery"})
	m.Subgraphs[0].Operators[1].OpcodeIndex = uint32(len(m.OperatorCodes) - 1)
	m.Subgraphs[0].Operators[1].Options = nil
	return m.Encode()
}

func TestInspectTinyClassifier(t *testing.T) {
	r, err := Inspect(context.Background(), tiny(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 1 || r.Inputs[0].DType != "int8" || r.Inputs[0].Name != "input" || len(r.Inputs[0].Shape) != 2 {
		t.Fatalf("inputs %+v", r.Inputs)
	}
	if len(r.Outputs) != 1 || r.Outputs[0].Name != "probabilities" || r.Outputs[0].ZeroPoint != -128 {
		t.Fatalf("outputs %+v", r.Outputs)
	}
	if names := r.OpNames(); len(names) != 2 || names[0] != "FULLY_CONNECTED" || names[1] != "SOFTMAX" {
		t.Fatalf("ops %v", names)
	}
	if r.ArenaBytes <= 0 || len(r.Probe.Inputs) != 1 || len(r.Probe.Inputs[0]) != builder.TinyInputs || len(r.Probe.OutputSHA256) != 64 {
		t.Fatalf("report %+v", r)
	}
	// Determinism: the probe and its digest never change for a model.
	again, err := Inspect(context.Background(), tiny(t))
	if err != nil || again.Probe.OutputSHA256 != r.Probe.OutputSHA256 || string(again.Probe.Inputs[0]) != string(r.Probe.Inputs[0]) {
		t.Fatal("probe is not deterministic")
	}
	// The probe covers the full int8 range rather than a constant.
	distinct := map[byte]bool{}
	for _, b := range r.Probe.Inputs[0] {
		distinct[b] = true
	}
	if len(distinct) < 4 {
		t.Fatalf("probe input has %d distinct values", len(distinct))
	}
}

func TestInspectRejects(t *testing.T) {
	_, err := Inspect(context.Background(), customOpModel(t))
	var u *UnsupportedError
	if !errors.As(err, &u) || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("custom op: %v", err)
	}
	if len(u.Ops) != 1 || u.Ops[0].Index != 1 {
		t.Fatalf("unsupported ops %+v (detail %q)", u.Ops, u.Detail)
	}
	for name, buf := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("definitely not a flatbuffer, just text"),
		"truncated": tiny(t)[:100],
	} {
		if _, err := Inspect(context.Background(), buf); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
