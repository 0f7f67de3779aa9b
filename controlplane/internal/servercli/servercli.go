// Package servercli builds the edgefleet-controlplane command tree; main.go only calls Main.
package servercli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/buildinfo"
	"github.com/edgefleet/edgefleet/proto/envflag"
)

// Main runs the edgefleet-controlplane CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "edgefleet-controlplane: %v\n", err)
		return 1
	}
	return 0
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "edgefleet-controlplane",
		Short: "Run the edgefleet control plane",
		Long: `edgefleet-controlplane serves the REST API operators and edgefleetctl use,
stores model versions (local directory or MinIO/S3), signs model manifests,
and talks to devices over MQTT (an embedded broker by default).

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
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go version and platform",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String()) },
	})
	root.AddCommand(newServe(stderr), newMosquittoConfig())
	return root
}
