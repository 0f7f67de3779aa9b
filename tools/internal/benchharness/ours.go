package benchharness

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/edgefleet/edgefleet/tflite"
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
	rng := splitmix64(1)
	for k := 0; k < it.NumInputs(); k++ {
		fillRandom(it.Input(k), &rng)
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

// splitmix64 is the generator shared/reference uses for random inputs.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fillRandom fills integer tensors uniformly over their bytes and float32
// ones uniformly in [-1, 1).
func fillRandom(t *tflite.Tensor, rng *splitmix64) {
	b := t.Bytes()
	if t.Type() == tflite.Float32 {
		for i := 0; i+4 <= len(b); i += 4 {
			f := float32(float64(rng.next()>>11)/(1<<53)*2 - 1)
			binary.LittleEndian.PutUint32(b[i:], math.Float32bits(f))
		}
		return
	}
	for i := range b {
		b[i] = byte(rng.next())
	}
}
