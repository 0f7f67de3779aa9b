package tflite

import (
	"context"
	"errors"
	"os"
	"testing"
)

// fuzzSeedLimit keeps big shared models out of the seed corpus: mutating
// megabytes per execution would slow the fuzzer to a crawl.
const fuzzSeedLimit = 64 << 10

// addFuzzSeeds seeds f with the hand-made model and the small shared
// models (testdata/fuzz holds the corpus go keeps, crashers included).
func addFuzzSeeds(f *testing.F) {
	f.Add(twoLayerModel(f).Encode())
	for _, path := range sharedModelFiles(f) {
		buf, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(buf) <= fuzzSeedLimit {
			f.Add(buf)
		}
	}
}

// FuzzLoad: Load must return a model or an error, never panic, and a
// loaded model must describe itself without panicking.
func FuzzLoad(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if errors.Is(err, errPanic) {
			t.Fatal(err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidModel) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error wraps neither ErrInvalidModel nor ErrUnsupported: %v", err)
			}
			return
		}
		_, _, _, _ = m.Inputs(), m.Outputs(), m.Ops(), m.Signatures()
	})
}

// FuzzLoadInvoke: whatever loads must also run (inputs filled from the
// fuzz data) without panicking.
func FuzzLoadInvoke(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if errors.Is(err, errPanic) {
			t.Fatal(err)
		}
		if err != nil {
			return
		}
		it, err := NewInterpreter(m, Options{MemoryLimit: 64 << 20})
		if errors.Is(err, ErrMemoryLimit) {
			return
		}
		if err != nil {
			t.Fatalf("model loaded but NewInterpreter failed: %v", err)
		}
		for i := 0; i < it.NumInputs(); i++ {
			b := it.Input(i).Bytes()
			for k := range b {
				b[k] = data[(k*7+i)%len(data)]
			}
		}
		if err := it.Invoke(context.Background()); errors.Is(err, errPanic) {
			t.Fatal(err)
		}
	})
}
