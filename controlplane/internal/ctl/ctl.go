// Package ctl builds the edgefleetctl command tree; main.go only calls Main.
package ctl

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/proto/buildinfo"
	"github.com/edgefleet/edgefleet/proto/envflag"
)

// Main runs the edgefleetctl CLI with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "edgefleetctl: %s\n", oneLine(err))
		return 1
	}
	return 0
}

// oneLine renders an error as one readable line with the server's message.
func oneLine(err error) string {
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		msg := fmt.Sprintf("server said %d %s: %s", apiErr.Status, apiErr.Code, apiErr.Message)
		if apiErr.Field != "" {
			msg += " (field " + apiErr.Field + ")"
		}
		if apiErr.RequestID != "" {
			msg += " [request " + apiErr.RequestID + "]"
		}
		return msg
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// globals are the persistent flags every command shares.
type globals struct {
	server, token, output, configPath string
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "edgefleetctl",
		Short: "Operate an edgefleet control plane",
		Long: `edgefleetctl talks to the control plane API: publish model versions, enroll
devices and read telemetry. (Rollout commands come with the rollout engine,
which is not built yet.)

The server and token come from --server/--token, else the environment
(EDGEFLEET_SERVER, EDGEFLEET_TOKEN), else the file written by
"edgefleetctl login".`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return envflag.Apply(cmd.Flags(), nil)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.server, "server", "", "control plane URL (default from login, else http://127.0.0.1:8080)")
	pf.StringVar(&g.token, "token", "", "API token")
	pf.StringVarP(&g.output, "output", "o", "table", "output format of read commands: table, json or yaml")
	pf.StringVar(&g.configPath, "ctl-config", defaultConfigPath(), "file written by login")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print version, commit, Go version and platform",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String()) },
	})
	root.AddCommand(newLogin(g), newModel(g), newDevice(g), newToken(g), newTelemetry(g))
	return root
}

// client resolves server and token: flag/env first, then the login file.
func (g *globals) client() (*client.Client, error) {
	server, token := g.server, g.token
	if server == "" || token == "" {
		saved, err := loadConfig(g.configPath)
		if err != nil {
			return nil, err
		}
		if server == "" {
			server = saved.Server
		}
		if token == "" {
			token = saved.Token
		}
	}
	if server == "" {
		server = "http://127.0.0.1:8080"
	}
	if token == "" {
		return nil, errors.New("no API token: pass --token, set EDGEFLEET_TOKEN or run `edgefleetctl login`")
	}
	return client.New(server, token), nil
}
