package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/broker"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/ingest"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
	"github.com/edgefleet/edgefleet/controlplane/internal/signing"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Server is a running control plane.
type Server struct {
	cfg      Config
	log      *slog.Logger
	db       *meta.DB
	blobs    blob.Store
	bus      broker.Bus
	http     *http.Server
	listener net.Listener
	api      *api.Server
	devices  *devices.Registry
	ingester *ingest.Ingester
	served   chan error
	stop     chan struct{}
}

// Start opens every backend, logs which one serves each concern, and
// begins serving HTTP. Close stops it.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (s *Server, err error) {
	if log == nil {
		log = slog.Default()
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s = &Server{cfg: cfg, log: log, served: make(chan error, 1), stop: make(chan struct{})}
	defer func() {
		if err != nil {
			s.closeBackends()
		}
	}()

	s.db, err = meta.Open(filepath.Join(cfg.DataDir, "controlplane.db"),
		auth.Bucket, devices.Bucket, registry.ModelsBucket, registry.VersionsBucket)
	if err != nil {
		return nil, err
	}
	log.Info("metadata store", "backend", s.db.String())

	if s.blobs, err = openBlobs(ctx, cfg); err != nil {
		return nil, err
	}
	log.Info("model blob store", "backend", s.blobs.String())

	key, err := s.signingKey()
	if err != nil {
		return nil, err
	}

	tokens := auth.NewStore(s.db)
	if created, err := tokens.Bootstrap(ctx, cfg.AdminTokenPath()); err != nil {
		return nil, err
	} else if created {
		log.Info("first start: wrote the admin API token (the file holds the secret; it is never logged)", "path", cfg.AdminTokenPath())
	}

	devs := devices.NewRegistry(s.db)
	s.devices = devs
	if s.bus, err = openBus(ctx, cfg, devs, log); err != nil {
		return nil, err
	}
	log.Info("MQTT broker", "backend", s.bus.String())
	s.ingester, err = ingest.New(s.db.Bolt(), &deviceGroups{devs: devs, label: cfg.DriftGroupLabel, cache: map[string]groupEntry{}},
		ingest.Config{DriftThreshold: cfg.DriftThreshold, MinuteRetention: cfg.TelemetryRetention, HourRetention: 15 * cfg.TelemetryRetention}, log)
	if err != nil {
		return nil, err
	}
	if err := startIngest(s.bus, devs, s.ingester, cfg.IngestSharedGroup, log); err != nil {
		return nil, err
	}
	go s.sweepTelemetry()

	reg, err := registry.New(registry.Config{
		DB: s.db, Blobs: s.blobs, Key: key, TempDir: filepath.Join(cfg.DataDir, "tmp"),
		MaxModelBytes: cfg.MaxModelBytes, Logger: log,
		// Rollouts will add their UsageFunc here.
		Users: []registry.UsageFunc{devs.VersionUsers},
	})
	if err != nil {
		return nil, err
	}

	s.api = api.New(api.Deps{
		Registry: reg, Devices: devs, Tokens: tokens, Logger: log, PresignTTL: cfg.PresignTTL,
		Telemetry: s.ingester, Collectors: []prometheus.Collector{s.ingester},
		OnRevoke: func(id string) {
			if e, ok := s.bus.(*broker.Embedded); ok {
				e.Disconnect(id)
			}
		},
		SigningKey: manifest.NewPublicKey(key.Public().(ed25519.PublicKey)),
		Checks: []api.Check{
			{Name: "metadata", Ping: func(context.Context) error { return s.db.Ping() }},
			{Name: "storage", Ping: s.blobs.Ping},
			{Name: "broker", Ping: s.bus.Ping},
		},
	})
	if s.listener, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("http: listen on %s: %w", cfg.HTTPAddr, err)
	}
	s.http = &http.Server{Handler: s.api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { s.served <- s.http.Serve(s.listener) }()
	log.Info("HTTP API listening", "url", s.URL())
	return s, nil
}

// sweepTelemetry drops telemetry buckets past their retention, hourly.
func (s *Server) sweepTelemetry() {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n, err := s.ingester.Sweep(); err != nil {
				s.log.Error("telemetry retention sweep", "err", err)
			} else if n > 0 {
				s.log.Info("telemetry retention sweep", "removed_buckets", n)
			}
		}
	}
}

func (s *Server) signingKey() (ed25519.PrivateKey, error) {
	path := s.cfg.signingKeyPath()
	if s.cfg.SigningKey != "" {
		key, err := signing.Load(path)
		if err != nil {
			return nil, err
		}
		s.log.Info("manifest signing key loaded", "path", path, "key_id", manifest.KeyID(key.Public().(ed25519.PublicKey)))
		return key, nil
	}
	key, created, err := signing.LoadOrCreate(path)
	if err != nil {
		return nil, err
	}
	s.log.Info("manifest signing key", "path", path, "created", created, "key_id", manifest.KeyID(key.Public().(ed25519.PublicKey)))
	return key, nil
}

func openBlobs(ctx context.Context, cfg Config) (blob.Store, error) {
	if cfg.S3Endpoint == "" {
		return blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	}
	return blob.NewS3(ctx, blob.S3Config{
		Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, TLS: cfg.S3TLS, Region: cfg.S3Region,
	})
}

func openBus(ctx context.Context, cfg Config, devs *devices.Registry, log *slog.Logger) (broker.Bus, error) {
	if cfg.MQTTURL == "" {
		return broker.NewEmbedded(cfg.MQTTAddr, devs, log)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return broker.Dial(ctx, broker.ExternalConfig{URL: cfg.MQTTURL, Username: cfg.MQTTUsername, Password: cfg.MQTTPassword}, log)
}

// URL is the API's base URL.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// MQTTAddr is the embedded broker's address, "" with an external broker.
func (s *Server) MQTTAddr() string {
	if e, ok := s.bus.(*broker.Embedded); ok {
		return e.Addr()
	}
	return ""
}

// Routes lists the API routes with their roles.
func (s *Server) Routes() []api.Route { return s.api.Routes() }

// Wait blocks until the HTTP server stops on its own (an error) or ctx
// ends.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case err := <-s.served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
		return nil
	}
}

// Close drains HTTP requests for up to 10 s and closes every backend.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if s.http != nil {
		err = s.http.Shutdown(ctx)
	}
	s.closeBackends()
	return err
}

func (s *Server) closeBackends() {
	close(s.stop)
	if s.bus != nil {
		_ = s.bus.Close()
	}
	if s.ingester != nil {
		_ = s.ingester.Close() // commits what the broker already delivered
	}
	if s.db != nil {
		_ = s.db.Close()
	}
}
