package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/agent/internal/store"
)

// maxModelFile bounds what `models import` reads into memory.
const maxModelFile = 1 << 30

// modelsFlags are shared by every `models` subcommand.
type modelsFlags struct {
	dataDir       string
	agentAddr     string
	trustedKeys   []string
	allowUnsigned bool
	lockTimeout   time.Duration
	output        string
}

// newModelsCmd builds `models import|list|activate|rollback`. They work on
// the database directly when the agent is stopped; when it runs (bbolt's
// file lock times out) they go through its local API, which applies the
// same checks with the agent's own trusted keys.
func newModelsCmd() *cobra.Command {
	f := &modelsFlags{}
	cmd := &cobra.Command{
		Use:   "models",
		Short: "Install, list, activate and roll back models (offline sideloading)",
		Long: `Manage the models in the agent's data directory. With the agent stopped the
commands open DIR/agent.db directly; while it runs they go through its local
API (--agent-addr), with the same checks: signature against the trusted keys,
sha256 and size, the engine loads the model, its I/O signature matches the
manifest, and the manifest's probe gives exactly the recorded output.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.dataDir, "data-dir", "", "agent data directory (holds agent.db)")
	pf.StringVar(&f.agentAddr, "agent-addr", "127.0.0.1:8470", `running agent's local API when the database is locked: host:port, URL or "unix:/path"`)
	pf.StringArrayVar(&f.trustedKeys, "trusted-key", nil, "file holding a trusted signing key (the body of the control plane's GET /api/v1/signing-key); repeatable; used when the agent is stopped")
	pf.BoolVar(&f.allowUnsigned, "allow-unsigned", false, "DEVELOPMENT ONLY: accept unsigned manifests when the agent is stopped (logs a warning)")
	pf.DurationVar(&f.lockTimeout, "lock-timeout", 200*time.Millisecond, "how long to wait for the database lock before assuming the agent is running")
	cmd.AddCommand(newModelsImportCmd(f), newModelsListCmd(f), newModelsActivateCmd(f), newModelsRollbackCmd(f))
	return cmd
}

func newModelsImportCmd(f *modelsFlags) *cobra.Command {
	var manifestPath string
	var activate bool
	cmd := &cobra.Command{
		Use:   "import MODEL.tflite --manifest M.json",
		Short: "Verify a model against its signed manifest and store it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if manifestPath == "" {
				return errors.New("models import: --manifest is required (the signed manifest JSON, e.g. from `edgefleetctl model manifest N V`)")
			}
			blob, err := readLimited(args[0], maxModelFile)
			if err != nil {
				return fmt.Errorf("models import: %w", err)
			}
			doc, err := readLimited(manifestPath, 16<<20)
			if err != nil {
				return fmt.Errorf("models import: %w", err)
			}
			return withAdmin(cmd, f, true, func(ctx context.Context, a install.Admin) error {
				res, err := a.Import(ctx, blob, doc, activate)
				if err != nil {
					return err
				}
				state := "stored"
				if res.Activated {
					state = "stored and activated"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s (sha256 %s, %d bytes)\n", res.Name, res.Version, state, res.SHA256, res.Size)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&manifestPath, "manifest", "", "signed manifest JSON for the model")
	cmd.Flags().BoolVar(&activate, "activate", false, "make the version active after importing it")
	return cmd
}

func newModelsListCmd(f *modelsFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List stored model versions and which are active and previous",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.output != "" && f.output != "json" && f.output != "table" {
				return fmt.Errorf("models list: -o %q, want json or table", f.output)
			}
			return withAdmin(cmd, f, false, func(ctx context.Context, a install.Admin) error {
				res, err := a.List(ctx)
				if err != nil {
					return err
				}
				if res.Models == nil {
					res.Models = []store.Entry{}
				}
				if f.output == "json" {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					return enc.Encode(res)
				}
				return printModelTable(cmd.OutOrStdout(), res.Models)
			})
		},
	}
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func printModelTable(w io.Writer, entries []store.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tSTATE\tSIZE\tSHA256\tSIGNED\tCREATED")
	for _, e := range entries {
		state := "-"
		switch {
		case e.Active:
			state = "active"
		case e.Previous:
			state = "previous"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.12s\t%v\t%s\n", e.Name, e.Version, state, e.Size, e.SHA256, e.Signed, e.CreatedAt.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

func newModelsActivateCmd(f *modelsFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "activate NAME VERSION",
		Short: "Re-verify a stored version (checksum, signature, probe) and make it active",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAdmin(cmd, f, false, func(ctx context.Context, a install.Admin) error {
				p, err := a.Activate(ctx, args[0], args[1])
				if err != nil {
					return err
				}
				printPointer(cmd.OutOrStdout(), p)
				return nil
			})
		},
	}
}

func newModelsRollbackCmd(f *modelsFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rollback NAME",
		Short: "Make the previous version active again (after re-verifying it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withAdmin(cmd, f, false, func(ctx context.Context, a install.Admin) error {
				p, err := a.Rollback(ctx, args[0])
				if err != nil {
					return err
				}
				printPointer(cmd.OutOrStdout(), p)
				return nil
			})
		},
	}
}

func printPointer(w io.Writer, p install.PointerResponse) {
	prev := p.Previous
	if prev == "" {
		prev = "none"
	}
	fmt.Fprintf(w, "%s: active %s, previous %s\n", p.Name, p.Active, prev)
}

// withAdmin runs fn on the database directly, or on the running agent's
// API when the database is locked. create lets import make a new data dir.
func withAdmin(cmd *cobra.Command, f *modelsFlags, create bool, fn func(context.Context, install.Admin) error) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	name := "models " + cmd.Name()
	if f.dataDir == "" {
		return fmt.Errorf("%s: --data-dir is required (or EDGEFLEET_DATA_DIR)", name)
	}
	dbPath := filepath.Join(f.dataDir, store.FileName)
	if create {
		if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	} else if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("%s: no agent database at %s: %w", name, dbPath, err)
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(dbPath, store.Options{Timeout: f.lockTimeout})
	if errors.Is(err, store.ErrLocked) {
		if len(f.trustedKeys) > 0 || f.allowUnsigned {
			log.Warn("the agent is running: its own trusted keys and allow_unsigned setting apply, not --trusted-key/--allow-unsigned")
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: the agent holds %s; going through its local API at %s\n", name, dbPath, f.agentAddr)
		if err := fn(ctx, install.NewClient(f.agentAddr)); err != nil {
			return fmt.Errorf("%s (via the running agent): %w", name, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer st.Close()
	keys, err := install.LoadTrustedKeys(f.trustedKeys)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	in := install.New(st, install.Config{Trusted: keys, AllowUnsigned: f.allowUnsigned, Logger: log})
	if err := fn(ctx, &install.Local{Installer: in}); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s exceeds %d bytes", path, limit)
	}
	return data, nil
}
