// Package config is the agent's configuration: a YAML file (--config FILE)
// whose keys every command-line flag and EDGEFLEET_* environment variable
// can override. Precedence is flag, then environment, then file, then the
// defaults in Default. Example returns a commented file covering every key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole agent configuration. The yaml tags are the file's
// keys; README.md documents each of them.
type Config struct {
	DataDir       string   `yaml:"data_dir"`
	HTTPAddr      string   `yaml:"http_addr"`
	UnixSocket    string   `yaml:"unix_socket"`
	TrustedKeys   []string `yaml:"trusted_keys"`
	AllowUnsigned bool     `yaml:"allow_unsigned"`
	LogLevel      string   `yaml:"log_level"`

	Runtime   Runtime   `yaml:"runtime"`
	HTTP      HTTP      `yaml:"http"`
	Memo      Memo      `yaml:"memo"`
	MQTT      MQTT      `yaml:"mqtt"`
	Telemetry Telemetry `yaml:"telemetry"`
}

// Runtime sizes the interpreter pools.
type Runtime struct {
	// PoolSize is the number of interpreters (concurrent inferences) per
	// active model.
	PoolSize int `yaml:"pool_size"`
	// QueueLength is how many requests per model may wait for a free
	// interpreter; beyond it requests get 429.
	QueueLength int `yaml:"queue_length"`
	// RequestTimeout bounds one request's wait plus inference.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// ArenaLimit caps one interpreter's activation arena; 0 is no cap.
	ArenaLimit ByteSize `yaml:"arena_limit"`
}

// HTTP tunes the local API server.
type HTTP struct {
	// BodyLimit caps inference request bodies.
	BodyLimit ByteSize `yaml:"body_limit"`
	// UploadLimit caps model uploads on the admin API.
	UploadLimit       ByteSize      `yaml:"upload_limit"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// ShutdownTimeout bounds the drain of in-flight requests on SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Memo bounds the memoization cache; either bound at 0 disables it.
type Memo struct {
	Entries int      `yaml:"entries"`
	Bytes   ByteSize `yaml:"bytes"`
}

// MQTT is the connection to the control plane's broker; an empty URL keeps
// the agent offline.
type MQTT struct {
	URL            string `yaml:"url"`
	DeviceID       string `yaml:"device_id"`
	CredentialFile string `yaml:"credential_file"`
	// CAFile verifies the broker on ssl:// URLs; CertFile and KeyFile are
	// the client certificate for mutual TLS.
	// MaxBackoff caps the delay between reconnect attempts (exponential
	// backoff with jitter starts at 0.5s).
	MaxBackoff time.Duration `yaml:"max_backoff"`
	CAFile     string        `yaml:"ca_file"`
	CertFile   string        `yaml:"cert_file"`
	KeyFile    string        `yaml:"key_file"`
}

// Telemetry configures the telemetry windows.
type Telemetry struct {
	Interval time.Duration `yaml:"interval"`
	// Encoding of published batches: protobuf or json.
	Encoding string `yaml:"encoding"`
	// SpoolBytes bounds the store-and-forward spool; when full the oldest
	// batches are dropped and counted.
	SpoolBytes ByteSize `yaml:"spool_bytes"`
	// PublishRate bounds how many spooled batches per second are sent
	// after a reconnect.
	PublishRate float64 `yaml:"publish_rate"`
}

// Default returns the configuration used for every key the file, the
// environment and the flags leave unset.
func Default() Config {
	return Config{
		HTTPAddr: "127.0.0.1:8470",
		LogLevel: "info",
		Runtime: Runtime{
			PoolSize:       2,
			QueueLength:    64,
			RequestTimeout: 30 * time.Second,
		},
		HTTP: HTTP{
			BodyLimit:         4 * MiB,
			UploadLimit:       256 * MiB,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ShutdownTimeout:   4 * time.Second,
		},
		Memo:      Memo{Entries: 1024, Bytes: 16 * MiB},
		MQTT:      MQTT{MaxBackoff: 60 * time.Second},
		Telemetry: Telemetry{Interval: 60 * time.Second, Encoding: "protobuf", SpoolBytes: 16 * MiB, PublishRate: 20},
	}
}

// Load reads a YAML file over Default. Unknown keys are errors, so a typo
// does not silently leave a default in place.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes YAML over Default, rejecting unknown keys.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks every key and names the offending one.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, key string, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
		}
	}
	check(c.DataDir != "", "data_dir", "required (--data-dir, EDGEFLEET_DATA_DIR or data_dir in the config file)")
	check(c.HTTPAddr != "" || c.UnixSocket != "", "http_addr", "http_addr and unix_socket are both empty; the API would listen nowhere")
	check(c.LogLevel == "debug" || c.LogLevel == "info" || c.LogLevel == "warn" || c.LogLevel == "error", "log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	check(c.Runtime.PoolSize >= 1 && c.Runtime.PoolSize <= 256, "runtime.pool_size", "%d is outside [1, 256]", c.Runtime.PoolSize)
	check(c.Runtime.QueueLength >= 0 && c.Runtime.QueueLength <= 1<<16, "runtime.queue_length", "%d is outside [0, 65536]", c.Runtime.QueueLength)
	check(c.Runtime.RequestTimeout > 0, "runtime.request_timeout", "%s must be positive", c.Runtime.RequestTimeout)
	check(c.Runtime.ArenaLimit >= 0, "runtime.arena_limit", "%s must not be negative", c.Runtime.ArenaLimit)
	check(c.HTTP.BodyLimit > 0, "http.body_limit", "%s must be positive", c.HTTP.BodyLimit)
	check(c.HTTP.UploadLimit > 0, "http.upload_limit", "%s must be positive", c.HTTP.UploadLimit)
	for key, d := range map[string]time.Duration{
		"http.read_header_timeout": c.HTTP.ReadHeaderTimeout,
		"http.read_timeout":        c.HTTP.ReadTimeout,
		"http.write_timeout":       c.HTTP.WriteTimeout,
		"http.idle_timeout":        c.HTTP.IdleTimeout,
		"http.shutdown_timeout":    c.HTTP.ShutdownTimeout,
	} {
		check(d > 0, key, "%s must be positive", d)
	}
	check(c.HTTP.ShutdownTimeout <= 5*time.Second, "http.shutdown_timeout", "%s exceeds 5s, the service manager's stop deadline", c.HTTP.ShutdownTimeout)
	check(c.Memo.Entries >= 0, "memo.entries", "%d must not be negative", c.Memo.Entries)
	check(c.Memo.Bytes >= 0, "memo.bytes", "%s must not be negative", c.Memo.Bytes)
	check(c.Telemetry.Interval >= time.Second, "telemetry.interval", "%s is below 1s", c.Telemetry.Interval)
	check(c.Telemetry.Encoding == "protobuf" || c.Telemetry.Encoding == "json", "telemetry.encoding", "%q: want protobuf or json", c.Telemetry.Encoding)
	check(c.Telemetry.SpoolBytes >= 4*KiB, "telemetry.spool_bytes", "%s is below the minimum of 4KiB", c.Telemetry.SpoolBytes)
	check(c.MQTT.MaxBackoff >= time.Second, "mqtt.max_backoff", "%s is below 1s", c.MQTT.MaxBackoff)
	check(c.Telemetry.PublishRate > 0, "telemetry.publish_rate", "%v: must be above 0 batches/s", c.Telemetry.PublishRate)
	check((c.MQTT.CertFile == "") == (c.MQTT.KeyFile == ""), "mqtt.cert_file", "cert_file and key_file go together (cert %q, key %q)", c.MQTT.CertFile, c.MQTT.KeyFile)
	if c.MQTT.URL != "" {
		check(c.MQTT.DeviceID != "", "mqtt.device_id", "required when mqtt.url is set")
		check(c.MQTT.CredentialFile != "", "mqtt.credential_file", "required when mqtt.url is set")
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration: %w", errors.Join(errs...))
	}
	return nil
}

// SocketPath resolves unix_socket: relative paths live inside the data
// directory, so the agent writes nowhere else by default. Empty means no
// socket.
func (c Config) SocketPath() string {
	if c.UnixSocket == "" || filepath.IsAbs(c.UnixSocket) {
		return c.UnixSocket
	}
	return filepath.Join(c.DataDir, c.UnixSocket)
}
