// Command enginebench times edgefleet's pure-Go TFLite engine against the
// reference runtimes on every shared model, alternating the two in one run,
// and prints model, our median ms, each reference's median ms and the ratio.
//
//	enginebench --models-dir ../shared/models --engines litert,tflite
//
// Every flag also reads EDGEFLEET_<FLAG_NAME>.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/envflag"
	"github.com/edgefleet/edgefleet/tools/internal/benchharness"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := benchharness.Config{}
	var verbose bool
	cmd := &cobra.Command{
		Use:           "enginebench [MODEL.tflite ...]",
		Short:         "Time our engine and reference runtimes side by side on each model",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), os.LookupEnv)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Models = args
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			rows, err := benchharness.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			var cols []string
			for _, c := range cfg.Columns() {
				cols = append(cols, c.Name)
			}
			return benchharness.WriteTable(stdout, rows, cols)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.ModelsDir, "models-dir", "", "measure every *.tflite in this directory (e.g. ../shared/models)")
	f.StringVar(&cfg.Node, "node", "node", "node executable for the reference runner")
	f.StringVar(&cfg.RefScript, "ref", "../shared/reference/tflite-ref.mjs", "reference runner script")
	f.StringSliceVar(&cfg.Engines, "engines", []string{"litert"}, "reference engines to compare with (litert, tflite, tfjs-tflite)")
	f.IntVarP(&cfg.Runs, "runs", "n", 30, "timed invocations per measurement")
	f.IntVar(&cfg.Warmup, "warmup", 5, "untimed invocations before each measurement")
	f.IntVar(&cfg.Rounds, "rounds", 3, "alternating rounds per model; the median round is reported")
	f.IntVar(&cfg.Threads, "threads", 1, "threads for every engine")
	f.StringSliceVar(&cfg.Binaries, "engine-bin", nil, "other `tflite` CLI builds to time with `BIN bench` (e.g. an older commit's), one column each")
	f.BoolVar(&cfg.SkipReference, "skip-reference", false, "time only our engine")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every measurement")
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	return 0
}
