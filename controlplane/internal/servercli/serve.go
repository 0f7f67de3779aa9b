package servercli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/edgefleet/edgefleet/controlplane/internal/server"
)

func newServe(stderr io.Writer) *cobra.Command {
	cfg := server.Defaults()
	var configFile, logLevel, logFormat string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API, model registry and MQTT broker",
		Long: `serve runs the control plane. With no flags everything is embedded under
--data-dir: metadata in bbolt, model files in a directory, an MQTT broker on
--mqtt-addr. --s3-* flags move model files to MinIO/S3; --mqtt-url uses an
external broker instead of the embedded one.

Precedence: flags, then EDGEFLEET_* environment variables, then --config
(a YAML file whose keys are the flag names, e.g. "http-addr: 0.0.0.0:8080"),
then the defaults shown.

The first start writes an admin API token to DATA_DIR/admin.token (0600).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configFile != "" {
				if err := applyConfigFile(cmd.Flags(), configFile); err != nil {
					return err
				}
			}
			log, err := newLogger(stderr, logLevel, logFormat)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := server.Start(ctx, cfg, log)
			if err != nil {
				return err
			}
			err = s.Wait(ctx)
			log.Info("shutting down")
			if cerr := s.Close(); err == nil {
				err = cerr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "YAML configuration file (keys are flag names)")
	f.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for the metadata database, local model files, keys and admin.token")
	f.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "address of the HTTP API")
	f.StringVar(&cfg.MQTTAddr, "mqtt-addr", cfg.MQTTAddr, "address of the embedded MQTT broker")
	f.StringVar(&cfg.MQTTURL, "mqtt-url", "", "external MQTT broker URL (tcp://host:1883); replaces the embedded broker")
	f.StringVar(&cfg.MQTTUsername, "mqtt-username", "", "username on the external broker")
	f.StringVar(&cfg.MQTTPassword, "mqtt-password", "", "password on the external broker")
	f.StringVar(&cfg.S3Endpoint, "s3-endpoint", "", "S3/MinIO endpoint host:port; model files go there instead of DATA_DIR/blobs")
	f.StringVar(&cfg.S3Bucket, "s3-bucket", cfg.S3Bucket, "S3 bucket (created if missing)")
	f.StringVar(&cfg.S3AccessKey, "s3-access-key", "", "S3 access key")
	f.StringVar(&cfg.S3SecretKey, "s3-secret-key", "", "S3 secret key")
	f.BoolVar(&cfg.S3TLS, "s3-tls", false, "use HTTPS for S3")
	f.StringVar(&cfg.S3Region, "s3-region", "", "S3 region (empty for MinIO)")
	f.StringVar(&cfg.SigningKey, "signing-key", "", "ed25519 PEM key signing manifests (default DATA_DIR/signing-key.pem, created on first start)")
	f.Int64Var(&cfg.MaxModelBytes, "max-model-bytes", cfg.MaxModelBytes, "largest model file accepted")
	f.DurationVar(&cfg.PresignTTL, "presign-ttl", cfg.PresignTTL, "validity of presigned S3 download URLs")
	f.StringVar(&cfg.DriftGroupLabel, "drift-group-label", cfg.DriftGroupLabel, "device label whose value groups devices for input drift (PSI)")
	f.Float64Var(&cfg.DriftThreshold, "drift-threshold", cfg.DriftThreshold, "population stability index above which a model version is flagged as drifting")
	f.StringVar(&cfg.IngestSharedGroup, "ingest-shared-group", "", "subscribe to telemetry as a member of this MQTT shared-subscription group (several control plane replicas on one broker)")
	f.DurationVar(&cfg.TelemetryRetention, "telemetry-retention", cfg.TelemetryRetention, "how long 1-minute telemetry buckets are kept (1-hour buckets: 15 times longer)")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "text or json")
	return cmd
}

// applyConfigFile sets every flag the command line and environment left
// alone from the YAML file. Keys are flag names; unknown keys are errors so
// typos surface.
func applyConfigFile(fs *pflag.FlagSet, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	for key, v := range values {
		f := fs.Lookup(key)
		if f == nil || key == "config" {
			return fmt.Errorf("config %s: unknown key %q (keys are serve's flag names, e.g. http-addr)", path, key)
		}
		if f.Changed {
			continue
		}
		if err := fs.Set(key, fmt.Sprint(v)); err != nil {
			return fmt.Errorf("config %s: key %q: %w", path, key, err)
		}
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
