package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/edgefleet/edgefleet/agent/internal/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print an example configuration or the effective one",
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration (defaults < --config file < environment < flags) as YAML",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.FromFlags(cmd.Flags())
			if err != nil {
				return err
			}
			out, err := yaml.Marshal(cfg)
			if err != nil {
				return fmt.Errorf("config show: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	config.RegisterFlags(show.Flags())
	cmd.AddCommand(&cobra.Command{
		Use:   "example",
		Short: "Print a commented configuration file covering every key, with its default",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprint(cmd.OutOrStdout(), config.Example()) },
	}, show)
	return cmd
}
