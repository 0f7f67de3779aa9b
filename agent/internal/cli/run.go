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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/agent/internal/api"
	"github.com/edgefleet/edgefleet/agent/internal/config"
	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/agent/internal/memo"
	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/agent/internal/spool"
	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/agent/internal/telemetry"
	"github.com/edgefleet/edgefleet/agent/internal/uplink"
	"github.com/edgefleet/edgefleet/proto/buildinfo"
	devicev1 "github.com/edgefleet/edgefleet/proto/device/v1"
	"github.com/edgefleet/edgefleet/proto/manifest"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
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
	observers := runtime.Observers{metrics}
	var rec *telemetry.Recorder
	if cfg.MQTT.URL != "" {
		rec = telemetry.NewRecorder()
		observers = append(observers, telemetry.RuntimeObserver{Rec: rec})
	}
	rt, err := runtime.New(runtime.Options{
		PoolSize:    cfg.Runtime.PoolSize,
		QueueLength: cfg.Runtime.QueueLength,
		ArenaLimit:  int64(cfg.Runtime.ArenaLimit),
		Memo:        memo.New(cfg.Memo.Entries, int64(cfg.Memo.Bytes)),
		Observer:    observers,
		Logger:      log,
	})
	if err != nil {
		return err
	}
	cat := storeCatalog{st: st, log: log}
	loader := &activeLoader{rt: rt, st: st, trusted: keys, allowUnsigned: cfg.AllowUnsigned}
	for _, name := range cat.ModelNames() {
		if err := loader.load(name); err != nil {
			// One broken model must not keep the others from serving; its
			// requests get 503 and the operator can roll back.
			log.Error("cannot load active model version", "model", name, "err", err)
		}
	}

	var up *uplink.Uplink
	uplinkDone := make(chan struct{})
	if cfg.MQTT.URL != "" {
		if up, err = newUplink(cfg, st, rec, log); err != nil {
			return err
		}
		go func() { defer close(uplinkDone); _ = up.Run(ctx) }()
	} else {
		close(uplinkDone)
		log.Info("no mqtt.url: serving offline, no telemetry")
	}

	in := install.New(st, install.Config{Trusted: keys, AllowUnsigned: cfg.AllowUnsigned, Logger: log})
	admin := install.NewAdminHandler(in, install.AdminOptions{
		MaxUploadBytes: int64(cfg.HTTP.UploadLimit),
		OnChange: func(_ context.Context, name string) error {
			err := loader.load(name)
			if up != nil {
				up.NotifyStatus()
			}
			return err
		},
		Logger: log,
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
	select { // the uplink spools the last window and says goodbye
	case <-uplinkDone:
	case <-time.After(3 * time.Second):
		log.Warn("mqtt uplink did not stop within 3s")
	}
	log.Info("edgefleet-agent stopped")
	return err
}

// newUplink connects the agent to the control plane's broker: telemetry
// spooled in agent.db, presence, and status built from the store.
func newUplink(cfg config.Config, st *store.Store, rec *telemetry.Recorder, log *slog.Logger) (*uplink.Uplink, error) {
	raw, err := os.ReadFile(cfg.MQTT.CredentialFile)
	if err != nil {
		return nil, fmt.Errorf("mqtt.credential_file: %w", err)
	}
	cred := strings.TrimSpace(string(raw))
	if cred == "" {
		return nil, fmt.Errorf("mqtt.credential_file %s is empty", cfg.MQTT.CredentialFile)
	}
	sp, err := spool.New(st.DB(), int64(cfg.Telemetry.SpoolBytes))
	if err != nil {
		return nil, err
	}
	ident, err := st.Identity()
	if err != nil {
		return nil, err
	}
	return uplink.New(uplink.Config{
		Brokers:      []string{cfg.MQTT.URL},
		DeviceID:     cfg.MQTT.DeviceID,
		Password:     cred,
		TLS:          uplink.TLSFiles{CAFile: cfg.MQTT.CAFile, CertFile: cfg.MQTT.CertFile, KeyFile: cfg.MQTT.KeyFile},
		Interval:     cfg.Telemetry.Interval,
		PublishRate:  cfg.Telemetry.PublishRate,
		MaxBackoff:   cfg.MQTT.MaxBackoff,
		Encoding:     telemetryv1.Encoding(cfg.Telemetry.Encoding),
		AgentVersion: buildinfo.Get().Version,
		InstanceID:   ident.InstanceID,
		Status:       func() *devicev1.Status { return storeStatus(st, log) },
	}, st, sp, rec, telemetry.HealthSource{DataDir: cfg.DataDir}, nil, log)
}

// storeStatus reports the active and previous version of every model.
func storeStatus(st *store.Store, log *slog.Logger) *devicev1.Status {
	out := &devicev1.Status{}
	entries, err := st.List()
	if err != nil {
		log.Error("list models for status", "err", err)
		return out
	}
	byName := map[string]*devicev1.ModelStatus{}
	for _, e := range entries {
		m := byName[e.Name]
		if m == nil {
			m = &devicev1.ModelStatus{Name: e.Name}
			byName[e.Name] = m
			out.Models = append(out.Models, m)
		}
		if e.Active {
			m.ActiveVersion, m.State = e.Version, "active"
		}
		if e.Previous {
			m.PreviousVersion = e.Version
		}
	}
	return out
}

// activeLoader makes the runtime serve the store's active versions. Loads
// are serialized so that two quick changes (activate, then rollback) cannot
// finish out of order and leave the runtime on a version the store no
// longer names.
type activeLoader struct {
	mu            sync.Mutex
	rt            *runtime.Runtime
	st            *store.Store
	trusted       []manifest.PublicKey
	allowUnsigned bool
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
	// The store may hold versions installed under another trust policy
	// (an offline import with --allow-unsigned or another key): serve only
	// what this configuration trusts.
	if err := signed.Verify(l.trusted); err != nil && !l.allowUnsigned {
		l.rt.Unload(name)
		return fmt.Errorf("active version %s of %s is not trusted by this configuration: %w", signed.Manifest.Version, name, err)
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
