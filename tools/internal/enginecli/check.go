package enginecli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/tflite"
)

func newCheckCommand() *cobra.Command {
	var model string
	cmd := &cobra.Command{
		Use:   "check [--model MODEL] GOLDEN_DIR",
		Short: "Run a golden set (manifest.json + NNN_inK.bin/NNN_outK.bin) and compare the outputs",
		Long: "Runs every sample of a golden set and compares each output with the golden bytes:\n" +
			"integer outputs must be identical, float32 within 1e-4 relative. Prints one line per\n" +
			"sample, then PASS n/n or FAIL k/n (k failing samples); exits 1 on any mismatch.\n" +
			"Without --model, the manifest's model is looked up two folders above GOLDEN_DIR\n" +
			"(the shared/models/golden/<model> layout).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed, err := check(cmd.Context(), cmd.OutOrStdout(), model, args[0])
			if err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d samples differ", failed), reported: true}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "model file (default: the manifest's model next to the golden folder)")
	return cmd
}

// check runs the golden set in dir and reports to w; it returns the number
// of failing samples.
func check(ctx context.Context, w io.Writer, model, dir string) (int, error) {
	man, err := readManifest(dir)
	if err != nil {
		return 0, err
	}
	if model == "" {
		model = filepath.Join(dir, "..", "..", man.Model)
	}
	buf, err := os.ReadFile(model)
	if err != nil {
		return 0, err
	}
	if sum := sha256.Sum256(buf); man.ModelSHA256 != "" && hex.EncodeToString(sum[:]) != man.ModelSHA256 {
		return 0, fmt.Errorf("%s: sha256 %x differs from the golden manifest's %s (wrong model for %s?)", model, sum, man.ModelSHA256, dir)
	}
	m, err := tflite.Load(buf)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", model, err)
	}
	if it.NumInputs() != len(man.Inputs) || it.NumOutputs() != len(man.Outputs) {
		return 0, fmt.Errorf("%s has %d inputs and %d outputs, the golden set %d and %d",
			model, it.NumInputs(), it.NumOutputs(), len(man.Inputs), len(man.Outputs))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	failed := 0
	for s, sample := range man.Samples {
		problems, err := checkSample(ctx, it, man, dir, sample)
		if err != nil {
			return 0, fmt.Errorf("sample %03d: %w", s, err)
		}
		if len(problems) == 0 {
			fmt.Fprintf(w, "%03d PASS\n", s)
			continue
		}
		failed++
		fmt.Fprintf(w, "%03d FAIL %s\n", s, strings.Join(problems, "; "))
	}
	n := len(man.Samples)
	if failed > 0 {
		fmt.Fprintf(w, "FAIL %d/%d\n", failed, n)
	} else {
		fmt.Fprintf(w, "PASS %d/%d\n", n, n)
	}
	return failed, nil
}

// checkSample runs one sample and describes each mismatching output.
func checkSample(ctx context.Context, it *tflite.Interpreter, man *goldenManifest, dir string, sample goldenSample) ([]string, error) {
	for k, f := range sample.Inputs {
		in, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			return nil, err
		}
		if err := it.Input(k).CopyFrom(in); err != nil {
			return nil, fmt.Errorf("%s: %w", f.File, err)
		}
	}
	if err := it.Invoke(ctx); err != nil {
		return nil, err
	}
	var problems []string
	for k, f := range sample.Outputs {
		want, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			return nil, err
		}
		out := it.Output(k)
		if got := out.Type().String(); got != man.Outputs[k].DType {
			return nil, fmt.Errorf("output %d is %s, the golden set says %s", k, got, man.Outputs[k].DType)
		}
		d, err := compareOutput(man.Outputs[k].DType, out.Bytes(), want)
		if err != nil {
			problems = append(problems, fmt.Sprintf("output %d (%s): %v", k, man.Outputs[k].Name, err))
			continue
		}
		if d.bad > 0 {
			problems = append(problems, fmt.Sprintf("output %d (%s): %d/%d elements differ, max |diff| %g",
				k, man.Outputs[k].Name, d.bad, d.elements, d.maxAbs))
		}
	}
	return problems, nil
}
