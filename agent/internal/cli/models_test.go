package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// modelFiles writes what an operator would sideload: the model, its signed
// manifest, an unsigned manifest, a manifest with a wrong probe, and the
// trusted key file (the signing-key endpoint's body).
type modelFiles struct {
	model, signed, unsigned, badProbe, key string
}

func writeModelFiles(t *testing.T, dir, version string, seed uint64) modelFiles {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize))
	blob, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := install.NewManifest(context.Background(), "tiny", version, blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := manifest.Sign(m, priv)
	if err != nil {
		t.Fatal(err)
	}
	bad := m
	bad.Probe = &manifest.Probe{Inputs: m.Probe.Inputs, OutputSHA256: strings.Repeat("1", 64)}
	badSigned, err := manifest.Sign(bad, priv)
	if err != nil {
		t.Fatal(err)
	}
	f := modelFiles{
		model:    filepath.Join(dir, "tiny-"+version+".tflite"),
		signed:   filepath.Join(dir, "tiny-"+version+".json"),
		unsigned: filepath.Join(dir, "tiny-"+version+".unsigned.json"),
		badProbe: filepath.Join(dir, "tiny-"+version+".badprobe.json"),
		key:      filepath.Join(dir, "signing-key.json"),
	}
	write := func(path string, v any) {
		data, ok := v.([]byte)
		if !ok {
			if data, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(f.model, blob)
	write(f.signed, signed)
	write(f.unsigned, m)
	write(f.badProbe, badSigned)
	write(f.key, manifest.NewPublicKey(priv.Public().(ed25519.PublicKey)))
	return f
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelsOffline(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	v1 := writeModelFiles(t, dir, "1", 1)
	v2 := writeModelFiles(t, dir, "2", 2)
	tampered := filepath.Join(dir, "tampered.tflite")
	blob, _ := os.ReadFile(v1.model)
	blob[len(blob)/2] ^= 0x10
	if err := os.WriteFile(tampered, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	key := "--trusted-key=" + v1.key
	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{args: []string{"models", "list"}, wantCode: 1, wantErr: "--data-dir is required"},
		{args: []string{"models", "list", "--data-dir", data}, wantCode: 1, wantErr: "no agent database"},
		{args: []string{"models", "import", "--data-dir", data, v1.model}, wantCode: 1, wantErr: "--manifest is required"},
		{args: []string{"models", "import", "--data-dir", data, v1.model, "--manifest", v1.unsigned, key}, wantCode: 1, wantErr: "manifest is not signed"},
		{args: []string{"models", "import", "--data-dir", data, v1.model, "--manifest", v1.signed}, wantCode: 1, wantErr: "untrusted key"},
		{args: []string{"models", "import", "--data-dir", data, tampered, "--manifest", v1.signed, key}, wantCode: 1, wantErr: "sha256 is"},
		{args: []string{"models", "import", "--data-dir", data, v1.model, "--manifest", v1.badProbe, key}, wantCode: 1, wantErr: "probe output differs"},
		{args: []string{"models", "import", "--data-dir", data, v1.model, "--manifest", v1.signed, key}, wantOut: "tiny 1 stored (sha256 "},
		{args: []string{"models", "activate", "--data-dir", data, "tiny", "1", key}, wantOut: "tiny: active 1, previous none"},
		{args: []string{"models", "import", "--data-dir", data, v2.model, "--manifest", v2.signed, key, "--activate"}, wantOut: "tiny 2 stored and activated"},
		{args: []string{"models", "list", "--data-dir", data}, wantOut: "previous"},
		{args: []string{"models", "rollback", "--data-dir", data, "tiny", key}, wantOut: "tiny: active 1, previous 2"},
		{args: []string{"models", "rollback", "--data-dir", data, "nope", key}, wantCode: 1, wantErr: "not found"},
		// Re-verification on activate: without the key, version 2 is refused.
		{args: []string{"models", "activate", "--data-dir", data, "tiny", "2"}, wantCode: 1, wantErr: "untrusted key"},
		{args: []string{"models", "list", "--data-dir", data, "-o", "yaml"}, wantCode: 1, wantErr: "want json or table"},
	}
	for i, st := range steps {
		code, out, errOut := run(st.args...)
		if code != st.wantCode || !strings.Contains(out, st.wantOut) || !strings.Contains(errOut, st.wantErr) {
			t.Fatalf("step %d %q: code %d, stdout %q, stderr %q; want code %d, stdout ~%q, stderr ~%q",
				i, st.args, code, out, errOut, st.wantCode, st.wantOut, st.wantErr)
		}
	}

	// The JSON listing is what scripts read.
	t.Setenv("EDGEFLEET_DATA_DIR", data) // the env fallback works too
	code, out, errOut := run("models", "list", "-o", "json")
	if code != 0 {
		t.Fatalf("list -o json: %d %s", code, errOut)
	}
	var list install.ListResponse
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list -o json is not JSON: %v\n%s", err, out)
	}
	if len(list.Models) != 2 || !list.Models[0].Active || !list.Models[1].Previous || !list.Models[0].Signed {
		t.Fatalf("list = %+v", list.Models)
	}
}

func TestModelsThroughRunningAgent(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	v1 := writeModelFiles(t, dir, "1", 1)
	keys, err := install.LoadTrustedKeys([]string{v1.key})
	if err != nil {
		t.Fatal(err)
	}
	// Stand in for the running agent: it holds the database lock and
	// serves the admin routes.
	st, err := store.Open(filepath.Join(data, store.FileName), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(install.NewAdminHandler(install.New(st, install.Config{Trusted: keys}), install.AdminOptions{}))
	defer srv.Close()
	addr := "--agent-addr=" + srv.Listener.Addr().String()

	code, out, errOut := run("models", "import", "--data-dir", data, addr, "--lock-timeout=50ms", v1.model, "--manifest", v1.unsigned)
	if code != 1 || !strings.Contains(errOut, "via the running agent") || !strings.Contains(errOut, "422") || !strings.Contains(errOut, "not signed") {
		t.Fatalf("unsigned import via agent: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = run("models", "import", "--data-dir", data, addr, "--lock-timeout=50ms", v1.model, "--manifest", v1.signed, "--activate")
	if code != 0 || !strings.Contains(out, "tiny 1 stored and activated") || !strings.Contains(errOut, "going through its local API") {
		t.Fatalf("import via agent: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if p, err := st.Pointer("tiny"); err != nil || p.Active != "1" {
		t.Fatalf("agent's store pointer = %+v, %v", p, err)
	}
	code, out, errOut = run("models", "list", "--data-dir", data, addr, "--lock-timeout=50ms", "-o", "json")
	if code != 0 || !strings.Contains(out, `"active": true`) {
		t.Fatalf("list via agent: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = run("models", "rollback", "--data-dir", data, addr, "--lock-timeout=50ms", "tiny")
	if code != 1 || !strings.Contains(errOut, "404") {
		t.Fatalf("rollback via agent without previous: code %d, stderr %q", code, errOut)
	}
}
