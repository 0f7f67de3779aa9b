// Package ctl builds the edgefleetctl command tree; main.go only calls Main.
package ctl

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/buildinfo"
	"github.com/edgefleet/edgefleet/proto/envflag"
)

// Main runs the edgefleetctl CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "edgefleetctl: %v\n", err)
		return 1
	}
	return 0
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "edgefleetctl",
		Short: "Operate an edgefleet control plane",
		Long: `edgefleetctl talks to the control plane API: publish model versions, enroll
devices, run rollouts and read telemetry.

Every flag can also be set from the environment: --server reads
EDGEFLEET_SERVER, --token reads EDGEFLEET_TOKEN.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), nil)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go version and platform",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String()) },
	})
	return root
}
