package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/agent/internal/api"
	"github.com/edgefleet/edgefleet/agent/internal/config"
	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/agent/internal/memo"
	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/buildinfo"
)

// storeLockTimeout is how long `run` waits for agent.db before concluding
// another agent holds it.
const storeLockTimeout = 2 * time.Second

func newRunCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Serve local inference from the models in the data directory",
		Long: `Run the agent: load every model's active version from DATA_DIR/agent.db (no
network needed), serve the local inference API (Open Inference Protocol v2 and
TF Serving REST) on --http-addr and optionally a unix socket, and expose
Prometheus metrics on /metrics. SIGTERM or SIGINT drains in-flight requests
and exits within 5 seconds.

Keys come from --config FILE, overridden by EDGEFLEET_* variables, overridden
by flags. ` + "`edgefleet-agent config example`" + ` prints every key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.FromFlags(cmd.Flags())
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runAgent(ctx, cfg, cmd.ErrOrStderr())
		},
	}
	config.RegisterFlags(cmd.Flags())
	return cmd
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // Validate accepted it
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// runAgent serves until ctx ends.
func runAgent(ctx context.Context, cfg config.Config, logw io.Writer) error {
	log := newLogger(logw, cfg.LogLevel)
	log.Info("starting edgefleet-agent", "build", buildinfo.String(), "data_dir", cfg.DataDir)
	if cfg.AllowUnsigned {
		log.Warn("allow_unsigned is on: models without a signed manifest are accepted; never use this in production")
	}
	if cfg.MQTT.URL != "" {
		log.Warn("mqtt.url is set but this build does not connect to the control plane yet; serving offline", "mqtt_url", cfg.MQTT.URL)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	st, err := store.Open(filepath.Join(cfg.DataDir, store.FileName), store.Options{Timeout: storeLockTimeout})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("another edgefleet-agent is running on %s: %w", cfg.DataDir, err)
		}
		return err
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		return fmt.Errorf("store check at start: %w", err)
	}
	keys, err := install.LoadTrustedKeys(cfg.TrustedKeys)
	if err != nil {
		return err
	}
	if len(keys) == 0 && !cfg.AllowUnsigned {
		log.Warn("no trusted_keys configured: every model install will be refused")
	}

	metrics := api.NewMetrics()
	rt, err := runtime.New(runtime.Options{
		PoolSize:    cfg.Runtime.PoolSize,
		QueueLength: cfg.Runtime.QueueLength,
		ArenaLimit:  int64(cfg.Runtime.ArenaLimit),
		Memo:        memo.New(cfg.Memo.Entries, int64(cfg.Memo.Bytes)),
		Observer:    metrics,
		Logger:      log,
	})
	if err != nil {
		return err
	}
	cat := storeCatalog{st: st, log: log}
	loader := &activeLoader{rt: rt, st: st}
	for _, name := range cat.ModelNames() {
		if err := loader.load(name); err != nil {
			// One broken model must not keep the others from serving; its
			// requests get 503 and the operator can roll back.
			log.Error("cannot load active model version", "model", name, "err", err)
		}
	}

	in := install.New(st, install.Config{Trusted: keys, AllowUnsigned: cfg.AllowUnsigned, Logger: log})
	admin := install.NewAdminHandler(in, install.AdminOptions{
		MaxUploadBytes: int64(cfg.HTTP.UploadLimit),
		OnChange:       func(_ context.Context, name string) error { return loader.load(name) },
		Logger:         log,
	})
	srv, err := api.New(api.Options{
		Runtime:        rt,
		Metrics:        metrics,
		Catalog:        cat,
		Admin:          admin,
		BodyLimit:      int64(cfg.HTTP.BodyLimit),
		RequestTimeout: cfg.Runtime.RequestTimeout,
		Version:        buildinfo.Get().Version,
		Logger:         log,
	})
	if err != nil {
		return err
	}
	listeners, err := api.Listen(cfg.HTTPAddr, cfg.SocketPath())
	if err != nil {
		return err
	}
	err = srv.Serve(ctx, listeners, api.Timeouts{
		ReadHeader: cfg.HTTP.ReadHeaderTimeout,
		Read:       cfg.HTTP.ReadTimeout,
		Write:      cfg.HTTP.WriteTimeout,
		Idle:       cfg.HTTP.IdleTimeout,
	}, cfg.HTTP.ShutdownTimeout)
	log.Info("edgefleet-agent stopped")
	return err
}

// activeLoader makes the runtime serve the store's active versions. Loads
// are serialized so that two quick changes (activate, then rollback) cannot
// finish out of order and leave the runtime on a version the store no
// longer names.
type activeLoader struct {
	mu sync.Mutex
	rt *runtime.Runtime
	st *store.Store
}

// load swaps in the store's active version of name, or unloads the model
// when it has none.
func (l *activeLoader) load(name string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	signed, blob, err := l.st.Active(name)
	if errors.Is(err, store.ErrNotFound) {
		l.rt.Unload(name)
		return nil
	}
	if err != nil {
		return fmt.Errorf("read active version of %s: %w", name, err)
	}
	return l.rt.Activate(signed.Manifest, blob)
}

// storeCatalog answers the API's "is this model installed" from the store.
type storeCatalog struct {
	st  *store.Store
	log *slog.Logger
}

// HasModel reports whether any version of name is stored.
func (c storeCatalog) HasModel(name string) bool {
	for _, n := range c.ModelNames() {
		if n == name {
			return true
		}
	}
	return false
}

// ModelNames lists the stored model names (sorted, each once).
func (c storeCatalog) ModelNames() []string {
	entries, err := c.st.List()
	if err != nil {
		c.log.Error("list stored models", "err", err)
		return nil
	}
	var names []string
	for _, e := range entries {
		if len(names) == 0 || names[len(names)-1] != e.Name {
			names = append(names, e.Name)
		}
	}
	return names
}
