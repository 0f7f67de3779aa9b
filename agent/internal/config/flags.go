package config

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// binding ties one flag to one config key. field returns a pointer to the
// key's field in c.
type binding struct {
	flag, key, usage string
	field            func(c *Config) any
}

// bindings lists every key that has a flag. Keys without one (rarely tuned
// timeouts) are set in the file only.
func bindings() []binding {
	return []binding{
		{"data-dir", "data_dir", "directory holding agent.db and everything else the agent writes", func(c *Config) any { return &c.DataDir }},
		{"http-addr", "http_addr", "TCP address of the local API (empty disables TCP)", func(c *Config) any { return &c.HTTPAddr }},
		{"unix-socket", "unix_socket", "unix socket of the local API, mode 0660 (relative paths are inside the data dir; empty disables it)", func(c *Config) any { return &c.UnixSocket }},
		{"trusted-key", "trusted_keys", "file holding a trusted signing key (the body of the control plane's GET /api/v1/signing-key); repeatable", func(c *Config) any { return &c.TrustedKeys }},
		{"allow-unsigned", "allow_unsigned", "DEVELOPMENT ONLY: accept unsigned models (logs a warning at every start)", func(c *Config) any { return &c.AllowUnsigned }},
		{"log-level", "log_level", "debug, info, warn or error", func(c *Config) any { return &c.LogLevel }},
		{"pool-size", "runtime.pool_size", "interpreters (concurrent inferences) per active model", func(c *Config) any { return &c.Runtime.PoolSize }},
		{"queue-length", "runtime.queue_length", "requests per model that may wait for an interpreter before 429", func(c *Config) any { return &c.Runtime.QueueLength }},
		{"request-timeout", "runtime.request_timeout", "bound on one request's queueing plus inference", func(c *Config) any { return &c.Runtime.RequestTimeout }},
		{"body-limit", "http.body_limit", "maximum inference request body (e.g. 4MiB)", func(c *Config) any { return &c.HTTP.BodyLimit }},
		{"upload-limit", "http.upload_limit", "maximum model upload on the admin API", func(c *Config) any { return &c.HTTP.UploadLimit }},
		{"read-timeout", "http.read_timeout", "time allowed to read a whole request (slow clients are cut off)", func(c *Config) any { return &c.HTTP.ReadTimeout }},
		{"write-timeout", "http.write_timeout", "time allowed to write a response", func(c *Config) any { return &c.HTTP.WriteTimeout }},
		{"memo-entries", "memo.entries", "memoization cache entries (0 disables the cache)", func(c *Config) any { return &c.Memo.Entries }},
		{"memo-bytes", "memo.bytes", "memoization cache bytes (0 disables the cache)", func(c *Config) any { return &c.Memo.Bytes }},
		{"mqtt-url", "mqtt.url", "control plane broker, e.g. tls://host:8883 (empty: stay offline)", func(c *Config) any { return &c.MQTT.URL }},
		{"device-id", "mqtt.device_id", "this device's id as enrolled in the control plane", func(c *Config) any { return &c.MQTT.DeviceID }},
		{"device-credential", "mqtt.credential_file", "file holding the credential printed by `edgefleetctl device enroll`", func(c *Config) any { return &c.MQTT.CredentialFile }},
		{"mqtt-max-backoff", "mqtt.max_backoff", "longest wait between reconnect attempts to the broker", func(c *Config) any { return &c.MQTT.MaxBackoff }},
		{"telemetry-interval", "telemetry.interval", "length of one telemetry window", func(c *Config) any { return &c.Telemetry.Interval }},
		{"telemetry-encoding", "telemetry.encoding", "payload encoding of telemetry batches: protobuf or json", func(c *Config) any { return &c.Telemetry.Encoding }},
		{"spool-bytes", "telemetry.spool_bytes", "bound of the offline telemetry spool (oldest batches dropped and counted beyond it)", func(c *Config) any { return &c.Telemetry.SpoolBytes }},
	}
}

// RegisterFlags adds a flag for every bound key to fs, with the defaults
// from Default, plus --config.
func RegisterFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "YAML config file; flags and EDGEFLEET_* variables override its keys")
	def := Default()
	for _, b := range bindings() {
		usage := fmt.Sprintf("%s (config key %s)", b.usage, b.key)
		switch p := b.field(&def).(type) {
		case *string:
			fs.String(b.flag, *p, usage)
		case *[]string:
			fs.StringArray(b.flag, *p, usage)
		case *bool:
			fs.Bool(b.flag, *p, usage)
		case *int:
			fs.Int(b.flag, *p, usage)
		case *time.Duration:
			fs.Duration(b.flag, *p, usage)
		case *ByteSize:
			v := *p
			fs.Var(&v, b.flag, usage)
		default:
			panic(fmt.Sprintf("config: flag %s bound to unsupported type %T", b.flag, p)) // programming error in bindings()
		}
	}
}

// FromFlags builds the effective configuration: Default, then the file
// named by --config, then every flag set on the command line or from the
// environment (envflag.Apply marks those as changed).
func FromFlags(fs *pflag.FlagSet) (Config, error) {
	cfg := Default()
	if path, _ := fs.GetString("config"); path != "" {
		var err error
		if cfg, err = Load(path); err != nil {
			return Config{}, err
		}
	}
	for _, b := range bindings() {
		f := fs.Lookup(b.flag)
		if f == nil || !f.Changed {
			continue
		}
		var err error
		switch p := b.field(&cfg).(type) {
		case *string:
			*p, err = fs.GetString(b.flag)
		case *[]string:
			*p, err = fs.GetStringArray(b.flag)
		case *bool:
			*p, err = fs.GetBool(b.flag)
		case *int:
			*p, err = fs.GetInt(b.flag)
		case *time.Duration:
			*p, err = fs.GetDuration(b.flag)
		case *ByteSize:
			*p = *f.Value.(*ByteSize)
		}
		if err != nil {
			return Config{}, fmt.Errorf("flag --%s: %w", b.flag, err)
		}
	}
	return cfg, nil
}
