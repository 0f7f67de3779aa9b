package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkInvoke times one Invoke per shared model (and the hand-made
// two-layer model); run with -benchmem to see the zero allocations.
func BenchmarkInvoke(b *testing.B) {
	run := func(b *testing.B, it *Interpreter) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := it.Invoke(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("two_layer", func(b *testing.B) { run(b, newTwoLayer(b, Options{})) })
	for _, path := range sharedModelFiles(b) {
		b.Run(strings.TrimSuffix(filepath.Base(path), ".tflite"), func(b *testing.B) {
			buf, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			m, err := Load(buf)
			if errors.Is(err, ErrUnsupported) {
				b.Skipf("not loadable yet: %v", err)
			}
			if err != nil {
				b.Fatal(err)
			}
			it, err := NewInterpreter(m, Options{})
			if err != nil {
				b.Fatal(err)
			}
			run(b, it)
		})
	}
}
