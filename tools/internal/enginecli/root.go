// Package enginecli implements the `tflite` engine command: info, run,
// check (against golden sets), bench and version. cmd/tflite only wires it
// to the process.
package enginecli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/envflag"
)

// exitError carries a process exit code for failures that are results,
// not usage errors (a golden mismatch exits 1 after printing its report).
type exitError struct {
	code int
	err  error
	// reported marks errors whose details the command already printed.
	reported bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Main runs the command line args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	// Ctrl-C cancels the context, which Invoke checks between operators.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd := NewCommand(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.reported {
			fmt.Fprintln(stderr, "error:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "error:", err)
	return 2
}

// NewCommand builds the root `tflite` command writing to stdout/stderr.
func NewCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "tflite",
		Short:         "Inspect, run, check and benchmark TFLite models with edgefleet's pure-Go engine",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every flag also reads EDGEFLEET_<FLAG_NAME>, as in every
		// edgefleet binary.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), os.LookupEnv)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newInfoCommand(), newRunCommand(), newCheckCommand(), newBenchCommand(), newVersionCommand())
	return root
}
