// Package cli builds the edgefleet-agent command tree. Every subcommand
// parses flags (with EDGEFLEET_* environment fallbacks) and hands over to the
// package that does the work.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/buildinfo"
	"github.com/edgefleet/edgefleet/proto/envflag"
)

// Main runs the agent CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintf(stderr, "edgefleet-agent: %v\n", err)
		return 1
	}
	return 0
}

// exitError carries a specific exit code for errors already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "edgefleet-agent",
		Short: "Run TFLite models on this device, offline first",
		Long: `edgefleet-agent runs quantized TFLite models on this device with a pure-Go
interpreter, keeps them in a crash-safe bbolt cache so it answers with no
network at all, and follows the control plane's desired state when connected.

Every flag can also be set from the environment: --data-dir reads
EDGEFLEET_DATA_DIR, --http-addr reads EDGEFLEET_HTTP_ADDR, and so on.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), nil)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		&cobra.Command{
			Use:   "version",
			Short: "Print version, commit, Go version and platform",
			Args:  cobra.NoArgs,
			Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String()) },
		},
		newSelfcheckCmd(),
		newModelsCmd(),
		newRunCmd(),
		newConfigCmd(),
	)
	return root
}
