package tflite_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/edgefleet/edgefleet/tflite"
)

// TestSharedModelMetadata checks what Load reports about a real model
// against shared/models/MODELS.md (written from TFLite's own reader).
func TestSharedModelMetadata(t *testing.T) {
	buf, err := os.ReadFile(filepath.Join(sharedModels(t), "hello_world_int8.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := tflite.Load(buf)
	if err != nil {
		t.Fatal(err)
	}
	in := m.Inputs()
	if len(in) != 1 || in[0].Name != "serving_default_dense_input:0" || in[0].Type != tflite.Int8 ||
		!reflect.DeepEqual(in[0].Shape, []int{1, 1}) || in[0].Scale != 0.024480115622282028 || in[0].ZeroPoint != -128 {
		t.Errorf("Inputs() = %+v", in)
	}
	out := m.Outputs()
	if len(out) != 1 || out[0].Name != "StatefulPartitionedCall:0" || out[0].Scale != 0.008290956728160381 || out[0].ZeroPoint != 5 {
		t.Errorf("Outputs() = %+v", out)
	}
	ops := m.Ops()
	if len(ops) != 3 || ops[2] != (tflite.OpInfo{Index: 2, Name: "FULLY_CONNECTED", Version: 4}) {
		t.Errorf("Ops() = %+v", ops)
	}
	if m.Description() != "MLIR Converted." {
		t.Errorf("Description() = %q", m.Description())
	}
	want := []tflite.Signature{{Key: "serving_default", Inputs: map[string]int{"dense_input": 0}, Outputs: map[string]int{"dense_2": 0}}}
	if got := m.Signatures(); !reflect.DeepEqual(got, want) {
		t.Errorf("Signatures() = %+v, want %+v", got, want)
	}
	// The returned descriptions are copies: editing them leaves the model
	// unchanged.
	in[0].Shape[0] = 99
	if m.Inputs()[0].Shape[0] != 1 {
		t.Error("Inputs() exposes the model's shape slice")
	}
}
