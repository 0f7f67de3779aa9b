package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/edgefleet/edgefleet/proto/envflag"
)

// yamlKeys lists the dotted yaml keys of every leaf field of t.
func yamlKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		key := prefix + strings.Split(f.Tag.Get("yaml"), ",")[0]
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			keys = append(keys, yamlKeys(f.Type, key+".")...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}

// nodeKeys lists the dotted keys of every leaf of a YAML mapping.
func nodeKeys(n *yaml.Node, prefix string) []string {
	if n.Kind == yaml.DocumentNode {
		return nodeKeys(n.Content[0], prefix)
	}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := prefix+n.Content[i].Value, n.Content[i+1]
		if v.Kind == yaml.MappingNode {
			keys = append(keys, nodeKeys(v, k+".")...)
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

func TestExampleCoversEveryKey(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(Example()), &doc); err != nil {
		t.Fatal(err)
	}
	got := nodeKeys(&doc, "")
	want := yamlKeys(reflect.TypeOf(Config{}), "")
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("example lacks key %s", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("example has %d keys, Config has %d", len(got), len(want))
	}
}

func TestExampleIsTheDefaults(t *testing.T) {
	cfg, err := Parse([]byte(Example()))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("example does not validate: %v", err)
	}
	want := Default()
	want.DataDir = "/var/lib/edgefleet-agent"
	want.TrustedKeys = []string{}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("example parses to\n%+v\nwant the defaults\n%+v", cfg, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"data_dri: /x\n", "field data_dri not found"},
		{"memo:\n  bytes: 12XB\n", `size "12XB"`},
		{"runtime:\n  request_timeout: soon\n", "soon"},
	}
	for _, tc := range tests {
		if _, err := Parse([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"no data dir", func(c *Config) { c.DataDir = "" }, "data_dir: required"},
		{"pool", func(c *Config) { c.Runtime.PoolSize = 0 }, "runtime.pool_size: 0 is outside [1, 256]"},
		{"queue", func(c *Config) { c.Runtime.QueueLength = -1 }, "runtime.queue_length"},
		{"listen nowhere", func(c *Config) { c.HTTPAddr = "" }, "listen nowhere"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, `"loud" is not one of`},
		{"shutdown", func(c *Config) { c.HTTP.ShutdownTimeout = 10 * time.Second }, "http.shutdown_timeout: 10s exceeds 5s"},
		{"mqtt", func(c *Config) { c.MQTT.URL = "tcp://x:1883" }, "mqtt.device_id: required"},
		{"body", func(c *Config) { c.HTTP.BodyLimit = 0 }, "http.body_limit"},
		{"telemetry", func(c *Config) { c.Telemetry.Interval = time.Millisecond }, "telemetry.interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.DataDir = "/d"
			tc.modify(&c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agent.yaml")
	if err := os.WriteFile(file, []byte("data_dir: /from/file\nhttp_addr: 127.0.0.1:1\nruntime:\n  pool_size: 3\n  queue_length: 5\nmemo:\n  bytes: 1MiB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	RegisterFlags(fs)
	if err := fs.Parse([]string{"--config", file, "--pool-size", "7", "--trusted-key", "a.json", "--trusted-key", "b.json"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EDGEFLEET_POOL_SIZE": "9", "EDGEFLEET_QUEUE_LENGTH": "11", "EDGEFLEET_MEMO_ENTRIES": "12"}
	if err := envflag.Apply(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	cfg, err := FromFlags(fs)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"pool_size (flag beats env and file)", cfg.Runtime.PoolSize, 7},
		{"queue_length (env beats file)", cfg.Runtime.QueueLength, 11},
		{"memo.entries (env beats default)", cfg.Memo.Entries, 12},
		{"data_dir (file beats default)", cfg.DataDir, "/from/file"},
		{"http_addr (file)", cfg.HTTPAddr, "127.0.0.1:1"},
		{"memo.bytes (file)", cfg.Memo.Bytes, MiB},
		{"read_timeout (default)", cfg.HTTP.ReadTimeout, 30 * time.Second},
		{"trusted_keys (repeated flag)", strings.Join(cfg.TrustedKeys, ","), "a.json,b.json"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.key, c.got, c.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		str  string
	}{
		{"0", 0, "0"}, {"100", 100, "100"}, {"100B", 100, "100"}, {"4KiB", 4 * KiB, "4KiB"},
		{"1536KiB", 1536 * KiB, "1536KiB"}, {"4 MiB", 4 * MiB, "4MiB"}, {"2GiB", 2 * GiB, "2GiB"},
	}
	for _, tc := range tests {
		got, err := ParseByteSize(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseByteSize(%q) = %v (%s), %v; want %v (%s)", tc.in, int64(got), got, err, int64(tc.want), tc.str)
		}
	}
	for _, bad := range []string{"", "-1", "1MB", "1.5MiB", "9999999999GiB"} {
		if _, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q): no error", bad)
		}
	}
}

func TestSocketPath(t *testing.T) {
	c := Config{DataDir: "/d"}
	for in, want := range map[string]string{"": "", "api.sock": "/d/api.sock", "/run/a.sock": "/run/a.sock"} {
		c.UnixSocket = in
		if got := c.SocketPath(); got != want {
			t.Errorf("SocketPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	cfg := Default()
	cfg.DataDir = "/d"
	cfg.Runtime.ArenaLimit = 1000
	cfg.TrustedKeys = []string{"k.json"}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Fatalf("round trip\n%s\ngave %+v", out, back)
	}
}
