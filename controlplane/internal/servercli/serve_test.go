package servercli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/proto/envflag"
)

// TestConfigPrecedence: flag > environment > config file > default.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cp.yaml")
	os.WriteFile(file, []byte("http-addr: 0.0.0.0:9000\nmqtt-addr: 0.0.0.0:1999\ndata-dir: /from/file\ns3-tls: true\n"), 0o600)
	cmd := newServe(nil)
	fs := cmd.Flags()
	if err := fs.Parse([]string{"--config", file, "--data-dir", "/from/flag"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EDGEFLEET_MQTT_ADDR": "127.0.0.1:2000"}
	if err := envflag.Apply(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := applyConfigFile(fs, file); err != nil {
		t.Fatal(err)
	}
	for flag, want := range map[string]string{
		"data-dir":  "/from/flag",     // flag wins over file
		"mqtt-addr": "127.0.0.1:2000", // env wins over file
		"http-addr": "0.0.0.0:9000",   // file wins over default
		"s3-tls":    "true",
		"s3-bucket": "edgefleet-models", // default
	} {
		if got := fs.Lookup(flag).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", flag, got, want)
		}
	}
}

func TestConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown key": "htp-addr: x\n",
		"bad value":   "s3-tls: maybe\n",
		"not yaml":    "[unclosed\n",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, []byte(body), 0o600)
		if err := applyConfigFile(newServe(nil).Flags(), p); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if err := applyConfigFile(newServe(nil).Flags(), filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
}
