package ctl

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
	"github.com/edgefleet/edgefleet/controlplane/internal/client"
)

func newToken(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens (admin)"}
	cmd.AddCommand(tokenCreate(g), tokenList(g), tokenRevoke(g))
	return cmd
}

func tokenCreate(g *globals) *cobra.Command {
	var name, role string
	cmd := &cobra.Command{
		Use:   "create --role admin|operator|viewer [--name N]",
		Short: "Create a token and print its secret (shown only this once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var r api.TokenResponse
			if _, err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/tokens", api.TokenRequest{Name: name, Role: role}, "", &r); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, r, func() table {
				return table{header: []string{"ID", "NAME", "ROLE", "SECRET"}, rows: [][]string{{r.ID, r.Name, string(r.Role), r.Secret}}}
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "what the token is for")
	cmd.Flags().StringVar(&role, "role", "viewer", "admin, operator or viewer")
	return cmd
}

func tokenList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			items, err := listAll[auth.Token](cmd, c, "/api/v1/tokens")
			if err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, items, func() table {
				t := table{header: []string{"ID", "NAME", "ROLE", "CREATED", "REVOKED"}}
				for _, tk := range items {
					revoked := ""
					if tk.RevokedAt != nil {
						revoked = tk.RevokedAt.Format("2006-01-02 15:04:05")
					}
					t.rows = append(t.rows, []string{tk.ID, tk.Name, string(tk.Role), tk.CreatedAt.Format("2006-01-02 15:04:05"), revoked})
				}
				return t
			})
		},
	}
}

func tokenRevoke(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Call(cmd.Context(), http.MethodPost, "/api/v1/tokens/"+client.Seg(args[0])+"/revoke", nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", args[0])
			return nil
		},
	}
}
