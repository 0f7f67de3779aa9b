package enginecli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

func newBenchCommand() *cobra.Command {
	var n, threads, warmup int
	cmd := &cobra.Command{
		Use:   "bench MODEL [-n N] [--threads T] [--warmup W]",
		Short: "Time Invoke on a random input: median/min/max/mean ms after warm-up",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n %d: want at least 1 run", n)
			}
			if warmup < 0 {
				warmup = min(10, n)
			}
			st, err := bench(cmd.Context(), args[0], n, warmup, threads)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: %d runs after %d warm-up, %d thread(s): median %.3f ms  min %.3f  max %.3f  mean %.3f\n",
				args[0], n, warmup, threads, st.median, st.min, st.max, st.mean)
			return err
		},
	}
	cmd.Flags().IntVarP(&n, "runs", "n", 50, "timed invocations")
	cmd.Flags().IntVar(&threads, "threads", 1, "threads the engine may use")
	cmd.Flags().IntVar(&warmup, "warmup", -1, "untimed invocations first (default min(10, n))")
	return cmd
}

// benchStats are latencies in milliseconds.
type benchStats struct{ median, min, max, mean float64 }

func bench(ctx context.Context, model string, n, warmup, threads int) (benchStats, error) {
	it, err := newInterpreter(model, threads)
	if err != nil {
		return benchStats{}, err
	}
	rng := builder.NewRand(1)
	for k := 0; k < it.NumInputs(); k++ {
		in := it.Input(k)
		rng.FillReference(in.Bytes(), in.Type() == tflite.Float32)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	for i := 0; i < warmup; i++ {
		if err := it.Invoke(ctx); err != nil {
			return benchStats{}, err
		}
	}
	ms := make([]float64, n)
	for i := range ms {
		start := time.Now()
		if err := it.Invoke(ctx); err != nil {
			return benchStats{}, err
		}
		ms[i] = float64(time.Since(start).Nanoseconds()) / 1e6
	}
	return stats(ms), nil
}

func stats(ms []float64) benchStats {
	s := slices.Clone(ms)
	slices.Sort(s)
	st := benchStats{min: s[0], max: s[len(s)-1]}
	if len(s)%2 == 1 {
		st.median = s[len(s)/2]
	} else {
		st.median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	for _, v := range s {
		st.mean += v
	}
	st.mean /= float64(len(s))
	return st
}
