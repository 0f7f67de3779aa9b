package enginecli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/tflite"
)

func newRunCommand() *cobra.Command {
	var inputs []string
	var outDir string
	var threads int
	cmd := &cobra.Command{
		Use:   "run MODEL --input FILE [--input FILE ...] [--out-dir DIR]",
		Short: "Run a model once on raw input files",
		Long: "Feeds each --input file (raw little-endian C-order bytes, one per graph input, in\n" +
			"subgraph order) and runs the model once. With --out-dir the outputs are written as\n" +
			"out0.bin, out1.bin, ... in subgraph order; otherwise a short summary is printed.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd.Context(), cmd.OutOrStdout(), args[0], inputs, outDir, threads)
		},
	}
	cmd.Flags().StringArrayVar(&inputs, "input", nil, "raw input file, once per graph input in order")
	cmd.Flags().StringVar(&outDir, "out-dir", "", "write outputs as DIR/outK.bin instead of printing a summary")
	cmd.Flags().IntVar(&threads, "threads", 1, "threads the engine may use")
	return cmd
}

func run(ctx context.Context, w io.Writer, model string, inputs []string, outDir string, threads int) error {
	it, err := newInterpreter(model, tflite.Options{Threads: threads})
	if err != nil {
		return err
	}
	if len(inputs) != it.NumInputs() {
		return fmt.Errorf("%s has %d inputs, got %d --input files", model, it.NumInputs(), len(inputs))
	}
	for k, path := range inputs {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := it.Input(k).CopyFrom(data); err != nil {
			return fmt.Errorf("--input %s: %w", path, err)
		}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := it.Invoke(ctx); err != nil {
		return err
	}
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
		for k := 0; k < it.NumOutputs(); k++ {
			if err := os.WriteFile(filepath.Join(outDir, fmt.Sprintf("out%d.bin", k)), it.Output(k).Bytes(), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	for k := 0; k < it.NumOutputs(); k++ {
		if _, err := fmt.Fprintln(w, summarize(k, it.Output(k))); err != nil {
			return err
		}
	}
	return nil
}

// summaryValues is how many leading values a summary shows.
const summaryValues = 8

// summarize describes one output: name, type, shape, range, arg max and
// its first values.
func summarize(k int, t *tflite.Tensor) string {
	vals := values(t)
	var b strings.Builder
	fmt.Fprintf(&b, "output %d %q %s %v", k, t.Name(), t.Type(), t.Shape())
	if len(vals) == 0 {
		return b.String()
	}
	lo, hi, arg := math.Inf(1), math.Inf(-1), 0
	for i, v := range vals {
		lo = min(lo, v)
		if v > hi {
			hi, arg = v, i
		}
	}
	fmt.Fprintf(&b, ": min %g max %g argmax %d", lo, hi, arg)
	if info := t.Info(); info.Scale != 0 {
		fmt.Fprintf(&b, " (%g real)", float64(info.Scale)*(hi-float64(info.ZeroPoint)))
	}
	fmt.Fprintf(&b, " first %v", vals[:min(len(vals), summaryValues)])
	if len(vals) > summaryValues {
		b.WriteString("...")
	}
	return b.String()
}

// values returns a tensor's elements as float64, nil for types it does not
// summarise.
func values(t *tflite.Tensor) []float64 {
	var out []float64
	switch t.Type() {
	case tflite.Int8:
		for _, v := range t.Int8() {
			out = append(out, float64(v))
		}
	case tflite.Uint8:
		for _, v := range t.Uint8() {
			out = append(out, float64(v))
		}
	case tflite.Int32:
		for _, v := range t.Int32() {
			out = append(out, float64(v))
		}
	case tflite.Float32:
		for _, v := range t.Float32() {
			out = append(out, float64(v))
		}
	}
	return out
}
