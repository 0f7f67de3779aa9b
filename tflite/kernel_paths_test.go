package tflite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgefleet/edgefleet/tflite"
)

// TestGoldenKernelPaths runs every golden set through the other kernel
// paths — the reference loops of Options.LowMemory, worker pools of 2 and
// 3 threads, the portable kernels forced by EDGEFLEET_TFLITE_NOSIMD=1, and
// both — and requires outputs byte-identical
// to the default single-threaded run, which TestGolden checks against
// TFLite. Integer and float paths are designed to be bit-identical.
func TestGoldenKernelPaths(t *testing.T) {
	root := filepath.Join(sharedModels(t), "golden")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	paths := []struct {
		name      string
		threads   int
		noSIMD    bool
		lowMemory bool
	}{
		{"lowmem", 1, false, true},
		{"threads2", 2, false, false},
		{"threads3", 3, false, false},
		{"nosimd", 1, true, false},
		{"nosimd_threads2", 2, true, false},
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		man := readManifest(t, dir)
		buf, err := os.ReadFile(filepath.Join(dir, "..", "..", man.Model))
		if err != nil {
			t.Fatal(err)
		}
		want := runSamples(t, buf, dir, man, tflite.Options{})
		for _, p := range paths {
			t.Run(d.Name()+"/"+p.name, func(t *testing.T) {
				if p.noSIMD {
					t.Setenv("EDGEFLEET_TFLITE_NOSIMD", "1")
				}
				got := runSamples(t, buf, dir, man, tflite.Options{Threads: p.threads, LowMemory: p.lowMemory})
				for s := range want {
					for k := range want[s] {
						if !bytes.Equal(got[s][k], want[s][k]) {
							t.Errorf("sample %d output %d differs from the default kernel path", s, k)
						}
					}
				}
			})
		}
	}
}

// runSamples loads the model (packing weights under the current
// environment) and returns every sample's output bytes.
func runSamples(t *testing.T, buf []byte, dir string, man goldenManifest, opts tflite.Options) [][][]byte {
	t.Helper()
	m, err := tflite.Load(buf)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	it, err := tflite.NewInterpreter(m, opts)
	if err != nil {
		t.Fatalf("NewInterpreter: %v", err)
	}
	out := make([][][]byte, len(man.Samples))
	for s, sample := range man.Samples {
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
			t.Fatalf("sample %d: Invoke: %v", s, err)
		}
		for k := 0; k < it.NumOutputs(); k++ {
			out[s] = append(out[s], bytes.Clone(it.Output(k).Bytes()))
		}
	}
	return out
}

// TestInvokeThreadsDoesNotAllocate checks that the worker pool hands
// work out without allocating.
func TestInvokeThreadsDoesNotAllocate(t *testing.T) {
	for _, name := range []string{"vww_96_int8", "face_detection_short_range"} {
		buf, err := os.ReadFile(filepath.Join(sharedModels(t), name+".tflite"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := tflite.Load(buf)
		if err != nil {
			t.Fatal(err)
		}
		it, err := tflite.NewInterpreter(m, tflite.Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if a := testing.AllocsPerRun(50, func() {
			if err := it.Invoke(ctx); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: Invoke with 2 threads allocates %v times per run", name, a)
		}
	}
}
