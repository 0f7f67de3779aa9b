package tflite

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

var updateFuzzSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the hand-made seeds under testdata/fuzz")

// TestUpdateFuzzSeeds regenerates the committed seed corpus (hand-made
// models that exercise paths the shared models do not, e.g. offset/size
// buffers) when run with -update-fuzz-seeds; otherwise it checks the
// seeds are present.
func TestUpdateFuzzSeeds(t *testing.T) {
	seeds := map[string][]byte{
		"seed-two-layer":     twoLayerModel(t).Encode(),
		"seed-offset-buffer": offsetModel(t, []byte{3, 0xfe}),
	}
	for _, target := range []string{"FuzzLoad", "FuzzLoadInvoke"} {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, data := range seeds {
			path := filepath.Join(dir, name)
			want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if *updateFuzzSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			// Only presence is checked: a seed older than the builder's
			// current encoding is still a useful, valid input.
			got, err := os.ReadFile(path)
			if err != nil || !strings.HasPrefix(string(got), "go test fuzz v1\n[]byte(") {
				t.Errorf("%s is missing or malformed; regenerate with go test -run TestUpdateFuzzSeeds -update-fuzz-seeds", path)
			}
		}
	}
}
