package benchharness

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// benchOurs loads a model, fills its inputs like the reference runner's
// --random (splitmix64, seed 1) and returns the median Invoke time in ms.
func benchOurs(ctx context.Context, path string, runs, warmup, threads int) (float64, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	m, err := tflite.Load(buf)
	if err != nil {
		return 0, err
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{Threads: threads})
	if err != nil {
		return 0, err
	}
	rng := builder.NewRand(1)
	for k := 0; k < it.NumInputs(); k++ {
		in := it.Input(k)
		rng.FillReference(in.Bytes(), in.Type() == tflite.Float32)
	}
	for i := 0; i < warmup; i++ {
		if err := it.Invoke(ctx); err != nil {
			return 0, fmt.Errorf("warm-up: %w", err)
		}
	}
	ms := make([]float64, runs)
	for i := range ms {
		start := time.Now()
		if err := it.Invoke(ctx); err != nil {
			return 0, err
		}
		ms[i] = float64(time.Since(start).Nanoseconds()) / 1e6
	}
	return median(ms), nil
}
