package tflite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/tflite"
)

// BenchmarkInvokeThreads times Invoke per shared model with 1 and 2
// worker threads, for the speedup of the thread pool; -benchmem shows
// that the pool adds no allocation.
func BenchmarkInvokeThreads(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(sharedModels(b), "*.tflite"))
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range files {
		buf, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		m, err := tflite.Load(buf)
		if err != nil {
			b.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("%s/threads=%d", strings.TrimSuffix(filepath.Base(path), ".tflite"), threads)
			b.Run(name, func(b *testing.B) {
				it, err := tflite.NewInterpreter(m, tflite.Options{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if err := it.Invoke(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
