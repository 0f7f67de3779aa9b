// Package server assembles the control plane from its configuration:
// metadata store, blob store, signing key, tokens, device and model
// registries, MQTT, and the HTTP API; Start runs it until Close.
package server

import (
	"fmt"
	"path/filepath"
	"time"
)

// Config is everything `edgefleet-controlplane serve` can be told.
type Config struct {
	DataDir  string
	HTTPAddr string
	// MQTTAddr is where the embedded broker listens; ignored with MQTTURL.
	MQTTAddr string
	// MQTTURL selects an external broker instead of the embedded one.
	MQTTURL      string
	MQTTUsername string
	MQTTPassword string

	// S3Endpoint selects S3/MinIO blob storage instead of DataDir/blobs.
	S3Endpoint  string
	S3Bucket    string
	S3AccessKey string
	S3SecretKey string
	S3TLS       bool
	S3Region    string

	// SigningKey is the ed25519 PEM key file; empty means
	// DataDir/signing-key.pem, created on first start.
	SigningKey string
	// MaxModelBytes bounds uploads.
	MaxModelBytes int64
	// PresignTTL bounds the life of blob download redirects.
	PresignTTL time.Duration

	// DriftGroupLabel is the device label whose value groups devices for
	// drift (PSI) computation; devices without it form the group "".
	DriftGroupLabel string
	// DriftThreshold flags a PSI above it.
	DriftThreshold float64
	// IngestSharedGroup, when set, subscribes to telemetry through the
	// shared subscription $share/GROUP/… so several replicas split it.
	IngestSharedGroup string
	// TelemetryRetention keeps 1-minute buckets this long (1-hour buckets
	// are kept 15 times longer).
	TelemetryRetention time.Duration
}

// Defaults returns the configuration that runs on one machine with no
// external services.
func Defaults() Config {
	return Config{
		DataDir:       "./edgefleet-data",
		HTTPAddr:      "127.0.0.1:8080",
		MQTTAddr:      "127.0.0.1:1883",
		S3Bucket:      "edgefleet-models",
		MaxModelBytes: 1 << 30,
		PresignTTL:    5 * time.Minute,

		DriftGroupLabel:    "site",
		DriftThreshold:     0.2,
		TelemetryRetention: 48 * time.Hour,
	}
}

// AdminTokenPath is where the first start writes the admin token.
func (c Config) AdminTokenPath() string { return filepath.Join(c.DataDir, "admin.token") }

func (c Config) signingKeyPath() string {
	if c.SigningKey != "" {
		return c.SigningKey
	}
	return filepath.Join(c.DataDir, "signing-key.pem")
}

func (c Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("config: data-dir is empty")
	}
	if c.HTTPAddr == "" {
		return fmt.Errorf("config: http-addr is empty")
	}
	if c.MQTTURL == "" && c.MQTTAddr == "" {
		return fmt.Errorf("config: set mqtt-addr (embedded broker) or mqtt-url (external broker)")
	}
	if c.S3Endpoint != "" && c.S3Bucket == "" {
		return fmt.Errorf("config: s3-endpoint %q given without s3-bucket", c.S3Endpoint)
	}
	if c.MaxModelBytes <= 0 {
		return fmt.Errorf("config: max-model-bytes %d, want > 0", c.MaxModelBytes)
	}
	return nil
}
