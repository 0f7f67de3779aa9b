package tflite

import (
	"context"
	"slices"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// TestFoldConstants: DEQUANTIZE of a float16 constant runs once at load;
// the interpreter only runs ADD, and the dequantized weights take no arena
// space.
func TestFoldConstants(t *testing.T) {
	b := builder.New()
	in := b.Input("input", builder.Float32, []int{1, 4}, builder.Quant{})
	w16 := b.ConstFloat16("w16", []int{1, 4}, []float32{0.5, -1.25, 2, 1024})
	w := b.Tensor("w", builder.Float32, []int{1, 4}, builder.Quant{})
	out := b.Tensor("output", builder.Float32, []int{1, 4}, builder.Quant{})
	b.Op(builder.Dequantize{}, []int{w16}, []int{w})
	b.Op(builder.Add{}, []int{in, w}, []int{out})
	b.Output(out)
	buf, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Ops()) != 2 || len(m.exec) != 1 || m.exec[0].index != 1 {
		t.Fatalf("Ops() = %v, executed ops = %d, want 2 listed and only op 1 run", m.Ops(), len(m.exec))
	}
	// Arena: input and output, 16 bytes each; nothing for "w".
	if m.ArenaSize() != 32 {
		t.Errorf("ArenaSize() = %d, want 32", m.ArenaSize())
	}
	it, err := NewInterpreter(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	copy(it.Input(0).Float32(), []float32{1, 2, 3, 4})
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	// float16 represents all four weights exactly.
	if got, want := it.Output(0).Float32(), []float32{1.5, 0.75, 5, 1028}; !slices.Equal(got, want) {
		t.Errorf("output = %v, want %v", got, want)
	}
}
