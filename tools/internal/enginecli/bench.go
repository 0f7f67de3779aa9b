package enginecli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

func newBenchCommand() *cobra.Command {
	var n, threads, warmup, top int
	var profile bool
	cmd := &cobra.Command{
		Use:   "bench MODEL [-n N] [--threads T] [--warmup W] [--profile [--top K]]",
		Short: "Time Invoke on a random input: median/min/max/mean ms after warm-up",
		Long: `Time Invoke on a random input: median/min/max/mean ms after warm-up.

With --profile every operator is timed too (two clock reads per operator,
which adds a little to the totals), and two tables follow the summary:
time per operator type, then the K slowest operators. Times are mean
milliseconds per Invoke over the timed runs.`,
		Example: `  tflite bench model.tflite -n 100
  tflite bench model.tflite --threads 2 --profile --top 10`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n %d: want at least 1 run", n)
			}
			if top < 0 {
				return fmt.Errorf("--top %d: want 0 or more operators", top)
			}
			if warmup < 0 {
				warmup = min(10, n)
			}
			res, err := bench(cmd.Context(), args[0], n, warmup, tflite.Options{Threads: threads, Profile: profile})
			if err != nil {
				return err
			}
			st := res.stats
			out := cmd.OutOrStdout()
			if _, err := fmt.Fprintf(out, "%s: %d runs after %d warm-up, %d thread(s): median %.3f ms  min %.3f  max %.3f  mean %.3f\n",
				args[0], n, warmup, threads, st.median, st.min, st.max, st.mean); err != nil {
				return err
			}
			if profile {
				return writeProfile(out, res.profile, n, top)
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "runs", "n", 50, "timed invocations")
	cmd.Flags().IntVar(&threads, "threads", 1, "threads the engine may use")
	cmd.Flags().IntVar(&warmup, "warmup", -1, "untimed invocations first (default min(10, n))")
	cmd.Flags().BoolVar(&profile, "profile", false, "time every operator and print where the time goes")
	cmd.Flags().IntVar(&top, "top", 15, "with --profile: how many of the slowest operators to list")
	return cmd
}

// benchStats are latencies in milliseconds.
type benchStats struct{ median, min, max, mean float64 }

// benchResult is what bench measured; profile is nil unless asked for.
type benchResult struct {
	stats   benchStats
	profile []tflite.OpProfile
}

func bench(ctx context.Context, model string, n, warmup int, opts tflite.Options) (benchResult, error) {
	it, err := newInterpreter(model, opts)
	if err != nil {
		return benchResult{}, err
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
			return benchResult{}, err
		}
	}
	it.ResetProfile()
	ms := make([]float64, n)
	for i := range ms {
		start := time.Now()
		if err := it.Invoke(ctx); err != nil {
			return benchResult{}, err
		}
		ms[i] = float64(time.Since(start).Nanoseconds()) / 1e6
	}
	return benchResult{stats: stats(ms), profile: it.Profile()}, nil
}

// writeProfile prints time per operator type, then the top slowest
// operators, as mean milliseconds per Invoke over runs.
func writeProfile(w io.Writer, prof []tflite.OpProfile, runs, top int) error {
	var total time.Duration
	type byType struct {
		op    string
		count int
		total time.Duration
	}
	var types []byType
	for _, p := range prof {
		total += p.Total
		i := slices.IndexFunc(types, func(t byType) bool { return t.op == p.Op })
		if i < 0 {
			types = append(types, byType{op: p.Op})
			i = len(types) - 1
		}
		types[i].count++
		types[i].total += p.Total
	}
	perRun := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 / float64(runs) }
	share := func(d time.Duration) float64 {
		if total == 0 {
			return 0
		}
		return 100 * float64(d) / float64(total)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nop type\tcount\tms/run\t%%\t\n")
	slices.SortFunc(types, func(a, b byType) int { return cmp.Compare(b.total, a.total) })
	for _, t := range types {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.1f\t\n", t.op, t.count, perRun(t.total), share(t.total))
	}
	fmt.Fprintf(tw, "total\t%d\t%.3f\t100.0\t\n", len(prof), perRun(total))
	if top > 0 {
		sorted := slices.Clone(prof)
		slices.SortStableFunc(sorted, func(a, b tflite.OpProfile) int { return cmp.Compare(b.Total, a.Total) })
		fmt.Fprintf(tw, "\nop index\top\tms/run\t%%\t\n")
		for _, p := range sorted[:min(top, len(sorted))] {
			fmt.Fprintf(tw, "%d\t%s\t%.3f\t%.1f\t\n", p.Index, p.Op, perRun(p.Total), share(p.Total))
		}
	}
	return tw.Flush()
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
