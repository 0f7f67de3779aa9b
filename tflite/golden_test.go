package tflite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgefleet/edgefleet/tflite"
)

// TestGolden runs every golden set under shared/models/golden and compares
// the outputs with TFLite's (bit-exact for integer outputs, 1e-4 relative
// for float32). One subtest per model and sample.
func TestGolden(t *testing.T) {
	root := filepath.Join(sharedModels(t), "golden")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			runGoldenSet(t, filepath.Join(root, d.Name()))
		})
	}
}

func runGoldenSet(t *testing.T, dir string) {
	man := readManifest(t, dir)
	buf, err := os.ReadFile(filepath.Join(dir, "..", "..", man.Model))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(buf); hex.EncodeToString(sum[:]) != man.ModelSHA256 {
		t.Fatalf("%s: sha256 %x differs from the manifest's %s", man.Model, sum, man.ModelSHA256)
	}
	m, err := tflite.Load(buf)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		t.Fatalf("NewInterpreter: %v", err)
	}
	if it.NumInputs() != len(man.Inputs) || it.NumOutputs() != len(man.Outputs) {
		t.Fatalf("model has %d inputs / %d outputs, manifest %d / %d", it.NumInputs(), it.NumOutputs(), len(man.Inputs), len(man.Outputs))
	}
	for k, o := range man.Outputs {
		if got := it.Output(k).Type().String(); got != o.DType {
			t.Fatalf("output %d: type %s, manifest %s", k, got, o.DType)
		}
	}
	for s, sample := range man.Samples {
		t.Run(sampleName(s), func(t *testing.T) {
			for k, f := range sample.Inputs {
				in, err := os.ReadFile(filepath.Join(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				if err := it.Input(k).CopyFrom(in); err != nil {
					t.Fatal(err)
				}
			}
			if err := it.Invoke(context.Background()); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			for k, f := range sample.Outputs {
				want, err := os.ReadFile(filepath.Join(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				bad, maxDiff, err := diffTensor(man.Outputs[k].DType, it.Output(k).Bytes(), want)
				if err != nil {
					t.Fatalf("output %d: %v", k, err)
				}
				if bad > 0 {
					t.Errorf("output %d (%s): %d of %d elements differ from %s, max |diff| %g",
						k, man.Outputs[k].Name, bad, it.Output(k).NumElements(), f.File, maxDiff)
				}
			}
		})
	}
}

func sampleName(i int) string {
	const digits = "0123456789"
	return string([]byte{digits[i/100%10], digits[i/10%10], digits[i%10]})
}
