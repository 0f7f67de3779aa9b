package ctl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// savedConfig is what login writes.
type savedConfig struct {
	Server string `yaml:"server"`
	Token  string `yaml:"token"`
}

func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "edgefleet", "ctl.yaml")
}

func loadConfig(path string) (savedConfig, error) {
	var c savedConfig
	if path == "" {
		return c, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read %s: %w", path, err)
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("parse %s: %w", path, err)
	}
	return c, nil
}

func newLogin(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Check --server and --token against the API and save them for later commands",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.token == "" {
				return errors.New("login needs --token (or EDGEFLEET_TOKEN)")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Get(cmd.Context(), "/api/v1/models?limit=1", nil); err != nil {
				return fmt.Errorf("login to %s: %w", c.Base, err)
			}
			raw, err := yaml.Marshal(savedConfig{Server: c.Base, Token: g.token})
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(g.configPath), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(g.configPath, raw, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logged in to %s; saved to %s\n", c.Base, g.configPath)
			return nil
		},
	}
}
