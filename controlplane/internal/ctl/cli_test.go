package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/server"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

type cli struct {
	t      *testing.T
	server string
	token  string
	cfg    string
}

// run executes edgefleetctl with the given args and returns stdout,
// stderr and the exit code.
func (c cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--server", c.server, "--ctl-config", c.cfg}, args...)
	if c.token != "" {
		full = append(full, "--token", c.token)
	}
	code := Main(full, &out, &errb)
	return out.String(), errb.String(), code
}

func (c cli) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("edgefleetctl %v: exit %d: %s", args, code, errs)
	}
	return out
}

func startServer(t *testing.T) cli {
	cfg := server.Defaults()
	cfg.DataDir, cfg.HTTPAddr, cfg.MQTTAddr = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := server.Start(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tok, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatal(err)
	}
	return cli{t: t, server: s.URL(), token: strings.TrimSpace(string(tok)), cfg: filepath.Join(t.TempDir(), "ctl.yaml")}
}

func writeModel(t *testing.T, seed uint64) string {
	buf, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "m.tflite")
	if err := os.WriteFile(p, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestModelCommands(t *testing.T) {
	c := startServer(t)
	m1, m2 := writeModel(t, 1), writeModel(t, 2)
	out, errs, code := c.run("model", "push", m1, "--name", "person", "--version", "1")
	if code != 0 || !strings.Contains(out, "person/1 published") || !strings.Contains(errs, "uploading person/1") {
		t.Fatalf("push: %d %q %q", code, out, errs)
	}
	if out := c.ok("model", "push", m1, "--name", "person", "--version", "1", "--no-progress"); !strings.Contains(out, "already published") {
		t.Fatalf("re-push: %q", out)
	}
	// A conflict is one readable line with the server's message.
	_, errs, code = c.run("model", "push", m2, "--name", "person", "--version", "1", "--no-progress")
	if code == 0 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "409 conflict") {
		t.Fatalf("conflict: %d %q", code, errs)
	}

	var models []map[string]any
	if err := json.Unmarshal([]byte(c.ok("model", "list", "-o", "json")), &models); err != nil || len(models) != 1 || models[0]["name"] != "person" {
		t.Fatalf("model list -o json: %v %v", models, err)
	}
	if out := c.ok("model", "list"); !strings.Contains(out, "NAME") || !strings.Contains(out, "person") {
		t.Fatalf("table: %q", out)
	}
	if out := c.ok("model", "list", "person", "-o", "yaml"); !strings.Contains(out, "version: \"1\"") {
		t.Fatalf("versions yaml: %q", out)
	}
	if out := c.ok("model", "show", "person", "1"); !strings.Contains(out, "FULLY_CONNECTED") {
		t.Fatalf("show: %q", out)
	}
	var signed struct {
		Manifest struct{ SHA256 string } `json:"manifest"`
		KeyID    string                  `json:"key_id"`
	}
	if err := json.Unmarshal([]byte(c.ok("model", "manifest", "person", "1")), &signed); err != nil || signed.KeyID == "" || len(signed.Manifest.SHA256) != 64 {
		t.Fatalf("manifest: %+v %v", signed, err)
	}
	dst := filepath.Join(t.TempDir(), "dl.tflite")
	if out := c.ok("model", "download", "person", "1", "-f", dst); !strings.Contains(out, "sha256 verified") {
		t.Fatalf("download: %q", out)
	}
	want, _ := os.ReadFile(m1)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, want) {
		t.Fatal("downloaded file differs")
	}
	c.ok("model", "rm", "person", "1")
	if _, errs, code := c.run("model", "show", "person", "1"); code == 0 || !strings.Contains(errs, "404 not_found") {
		t.Fatalf("show deleted: %d %q", code, errs)
	}
}

func TestDeviceAndTokenCommands(t *testing.T) {
	c := startServer(t)
	var enrolled map[string]string
	out := c.ok("device", "enroll", "cam-1", "--label", "site=berlin", "--label", "tier=prod", "-o", "json")
	if err := json.Unmarshal([]byte(out), &enrolled); err != nil || enrolled["id"] != "cam-1" || !strings.HasPrefix(enrolled["credential"], "edc_") || len(enrolled) != 2 {
		t.Fatalf("enroll -o json: %q %v", out, err)
	}
	c.ok("device", "enroll", "cam-2", "--label", "site=berlin", "--label", "tier=lab")
	var list []map[string]any
	if err := json.Unmarshal([]byte(c.ok("device", "list", "--selector", "site=berlin,tier!=lab", "-o", "json")), &list); err != nil || len(list) != 1 || list[0]["id"] != "cam-1" {
		t.Fatalf("device list: %v %v", list, err)
	}
	if out := c.ok("device", "label", "cam-2", "tier-", "room=3"); !strings.Contains(out, "room=3,site=berlin") {
		t.Fatalf("label: %q", out)
	}
	if out := c.ok("device", "show", "cam-2", "-o", "yaml"); !strings.Contains(out, "room: \"3\"") {
		t.Fatalf("show: %q", out)
	}
	c.ok("device", "revoke", "cam-1")
	if out := c.ok("device", "list"); !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoke: %q", out)
	}

	var tok map[string]any
	if err := json.Unmarshal([]byte(c.ok("token", "create", "--role", "viewer", "--name", "dash", "-o", "json")), &tok); err != nil || tok["secret"] == nil {
		t.Fatalf("token create: %v %v", tok, err)
	}
	viewer := c
	viewer.token = tok["secret"].(string)
	viewer.ok("model", "list")
	if _, errs, code := viewer.run("device", "enroll", "x"); code == 0 || !strings.Contains(errs, "403 forbidden") {
		t.Fatalf("viewer enroll: %d %q", code, errs)
	}
	if out := c.ok("token", "list"); !strings.Contains(out, "dash") || strings.Contains(out, viewer.token) {
		t.Fatalf("token list: %q", out)
	}
	c.ok("token", "revoke", tok["id"].(string))
	if _, errs, code := viewer.run("model", "list"); code == 0 || !strings.Contains(errs, "401 unauthenticated") {
		t.Fatalf("revoked token: %d %q", code, errs)
	}
}

func TestLoginAndEnv(t *testing.T) {
	c := startServer(t)
	if out := c.ok("login"); !strings.Contains(out, "logged in") {
		t.Fatalf("login: %q", out)
	}
	st, err := os.Stat(c.cfg)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ctl config: %v %v", st, err)
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"--ctl-config", c.cfg, "model", "list", "-o", "json"}, &out, &errb); code != 0 {
		t.Fatalf("after login: %d %s", code, errb.String())
	}
	// Environment fallback.
	t.Setenv("EDGEFLEET_SERVER", c.server)
	t.Setenv("EDGEFLEET_TOKEN", "eft_000000000000_nope")
	out.Reset()
	errb.Reset()
	if code := Main([]string{"--ctl-config", filepath.Join(t.TempDir(), "none"), "model", "list"}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "401") {
		t.Fatalf("env token not used: %d %q", code, errb.String())
	}
}
