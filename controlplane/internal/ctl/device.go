package ctl

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/labels"
)

func newDevice(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "device", Short: "Enroll, list, label and revoke devices"}
	cmd.AddCommand(deviceEnroll(g), deviceList(g), deviceShow(g), deviceLabel(g), deviceRevoke(g))
	return cmd
}

// parseLabels reads k=v pairs.
func parseLabels(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("label %q: want key=value", p)
		}
		out[k] = v
	}
	return out, nil
}

func deviceEnroll(g *globals) *cobra.Command {
	var pairs []string
	cmd := &cobra.Command{
		Use:   "enroll ID [--label k=v …]",
		Short: "Enroll a device and print its credential (shown only this once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := parseLabels(pairs)
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var r api.EnrollResponse
			if _, err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/devices", api.EnrollRequest{ID: args[0], Labels: set}, "", &r); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, map[string]string{"id": r.ID, "credential": r.Credential}, func() table {
				return table{header: []string{"ID", "CREDENTIAL"}, rows: [][]string{{r.ID, r.Credential}}}
			})
		},
	}
	cmd.Flags().StringArrayVar(&pairs, "label", nil, "label key=value (repeatable)")
	return cmd
}

func deviceTable(items []devices.Device) table {
	t := table{header: []string{"ID", "LABELS", "PRESENCE", "LAST SEEN", "ACTIVE", "REVOKED"}}
	for _, d := range items {
		seen, active, revoked := "-", "-", ""
		if d.LastSeen != nil {
			seen = d.LastSeen.Format("2006-01-02 15:04:05")
		}
		if d.Active != nil {
			active = d.Active.Model + "/" + d.Active.Version
		}
		if d.RevokedAt != nil {
			revoked = "revoked"
		}
		t.rows = append(t.rows, []string{d.ID, labels.Format(d.Labels), d.Presence, seen, active, revoked})
	}
	return t
}

func deviceList(g *globals) *cobra.Command {
	var selector string
	cmd := &cobra.Command{
		Use:   "list [--selector site=berlin,tier!=lab]",
		Short: "List devices, optionally filtered by a label selector",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			q := strings.TrimPrefix(client.Query("selector", selector), "?")
			items, err := listAllQuery[devices.Device](cmd, c, "/api/v1/devices", q)
			if err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, items, func() table { return deviceTable(items) })
		},
	}
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "label selector: k=v, k!=v, k, !k joined by commas")
	return cmd
}

func deviceShow(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a device: labels, presence, last seen, installed and active models",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var d devices.Device
			if err := c.Get(cmd.Context(), "/api/v1/devices/"+client.Seg(args[0]), &d); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, d, func() table { return deviceTable([]devices.Device{d}) })
		},
	}
}

func deviceLabel(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "label ID k=v … k-",
		Short: "Set labels (k=v) or remove them (k-)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			patch := map[string]*string{}
			for _, a := range args[1:] {
				if k, ok := strings.CutSuffix(a, "-"); ok && !strings.Contains(a, "=") {
					patch[k] = nil
					continue
				}
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" {
					return fmt.Errorf("label %q: want key=value or key-", a)
				}
				patch[k] = &v
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			var d devices.Device
			if _, err := c.Do(cmd.Context(), http.MethodPatch, "/api/v1/devices/"+client.Seg(args[0]), api.RelabelRequest{Labels: patch}, "", &d); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, d, func() table { return deviceTable([]devices.Device{d}) })
		},
	}
}

func deviceRevoke(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a device: the broker and API refuse it from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var d devices.Device
			if _, err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/devices/"+client.Seg(args[0])+"/revoke", nil, "", &d); err != nil {
				return err
			}
			if d.RevokedAt == nil {
				return errors.New("server did not mark the device revoked")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", d.ID)
			return nil
		},
	}
}
