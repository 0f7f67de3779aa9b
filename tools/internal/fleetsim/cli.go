// Package fleetsim is the home of the fleet simulator: each simulated device
// will run the agent's protocol (presence, desired state, status, telemetry)
// against a control plane so demos and load tests need no hardware. Only the
// command shell exists so far: it prints its version and says so.
package fleetsim

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/proto/buildinfo"
	"github.com/edgefleet/edgefleet/proto/envflag"
)

// Main runs the fleetsim CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "fleetsim",
		Short: "Simulate a fleet of edgefleet devices (not built yet)",
		Long: `fleetsim will run many simulated devices against an edgefleet control plane:
they will enroll, connect over MQTT, follow their desired state and report
status and telemetry, so rollouts and dashboards can be exercised without
hardware. That simulator is not built yet; today fleetsim only prints its
version.

Every flag can also be set from the environment (EDGEFLEET_<FLAG_NAME>).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), nil)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go version and platform",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String()) },
	})
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "fleetsim: %v\n", err)
		return 1
	}
	return 0
}
