// Package agent_test runs the real edgefleet-agent binary: offline import
// of signed models, serving over HTTP, restart, and hot swap through the
// running agent.
package agent_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/proto/inference"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// agentBin is the binary TestMain builds.
var agentBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "edgefleet-agent-app-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	agentBin = filepath.Join(dir, "edgefleet-agent")
	build := exec.Command("go", "build", "-o", agentBin, "./cmd/edgefleet-agent")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build edgefleet-agent:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer collects a child's stderr while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type agentProc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	url    string
	addr   string
}

var listenLine = regexp.MustCompile(`msg="local API listening" addr=(\S+) network=tcp`)

// startAgent runs `edgefleet-agent run` on a free loopback port and waits
// until it serves.
func startAgent(t testing.TB, args ...string) *agentProc {
	t.Helper()
	p := &agentProc{stderr: &syncBuffer{}}
	p.cmd = exec.Command(agentBin, append([]string{"run", "--http-addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = p.stderr
	p.cmd.Env = append(os.Environ(), "EDGEFLEET_LOG_LEVEL=info")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listenLine.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr, p.url = m[1], "http://"+m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent did not start listening; stderr:\n%s", p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

// stop sends SIGTERM and requires a clean exit within 5 seconds.
func (p *agentProc) stop(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("agent exited with %v; stderr:\n%s", err, p.stderr)
		}
		took := time.Since(start)
		t.Logf("agent stopped %v after SIGTERM", took.Round(time.Millisecond))
		if took > time.Second {
			t.Logf("slow shutdown; stderr tail:\n%s", tail(p.stderr.String(), 6))
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("agent still running 5s after SIGTERM; stderr:\n%s", p.stderr)
	}
}

// runCLI runs the binary to completion and returns its output and exit code.
func runCLI(t testing.TB, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(agentBin, args...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

// release is a model version and its manifest written to disk as
// DIR/TAG.tflite and DIR/TAG.json.
type release struct {
	blob                  []byte
	modelPath, signedPath string
	manifest              manifest.Manifest
}

func writeRelease(t testing.TB, dir, tag, name, version string, seed uint64, key ed25519.PrivateKey, edit func(*manifest.Manifest)) release {
	t.Helper()
	blob, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := install.NewManifest(context.Background(), name, version, blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&m)
	}
	var doc any = m
	if key != nil {
		s, err := manifest.Sign(m, key)
		if err != nil {
			t.Fatal(err)
		}
		doc = s
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	r := release{blob: blob, manifest: m,
		modelPath:  filepath.Join(dir, tag+".tflite"),
		signedPath: filepath.Join(dir, tag+".json")}
	if err := os.WriteFile(r.modelPath, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.signedPath, js, 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// Input values: multiples of the tiny classifier's input scale (1/32), so
// the agent's quantization is exact and the reference can use raw bytes.
var features = []float64{0.5, -1, 0.25, 2, -0.125, 0, 1.5, -3}

// expected runs blob directly with the tflite interpreter and dequantizes
// the output as the API does.
func expected(t testing.TB, blob []byte) []float32 {
	t.Helper()
	m, err := tflite.Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := it.Input(0).Int8()
	for i, f := range features {
		in[i] = int8(f * 32)
	}
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	info := it.Output(0).Info()
	out := make([]float32, 0, 4)
	for _, q := range it.Output(0).Int8() {
		out = append(out, float32(float64(info.Scale)*float64(int64(q)-int64(info.ZeroPoint))))
	}
	return out
}

// predictV2 asks the running agent and returns the version and outputs.
func predictV2(t testing.TB, url string) (string, []float32) {
	t.Helper()
	data, _ := json.Marshal(features)
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, data)
	resp, err := http.Post(url+"/v2/models/tiny/infer", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("infer: %d %s", resp.StatusCode, raw)
	}
	var r inference.InferResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	var out []float32
	if err := json.Unmarshal(r.Outputs[0].Data, &out); err != nil {
		t.Fatal(err)
	}
	return r.ModelVersion, out
}

func predictTF(t testing.TB, url string) (string, []float32) {
	t.Helper()
	data, _ := json.Marshal([][]float64{features})
	resp, err := http.Post(url+"/v1/models/tiny:predict", "application/json", strings.NewReader(`{"instances":`+string(data)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("predict: %d %s", resp.StatusCode, raw)
	}
	var r struct {
		Predictions  [][]float32 `json:"predictions"`
		ModelVersion string      `json:"model_version"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r.ModelVersion, r.Predictions[0]
}

func equalFloats(a, b []float32) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestAgentOffline(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyDoc, _ := json.Marshal(manifest.NewPublicKey(pub))
	keyPath := filepath.Join(dir, "signing-key.json")
	if err := os.WriteFile(keyPath, keyDoc, 0o600); err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	// Refusals, offline, before anything is installed.
	good := writeRelease(t, dir, "good", "tiny", "1", 1, key, nil)
	unsigned := writeRelease(t, dir, "unsigned", "tiny", "1", 1, nil, nil)
	untrusted := writeRelease(t, dir, "untrusted", "tiny", "1", 1, otherKey, nil)
	probeBad := writeRelease(t, dir, "probe-bad", "tiny", "1", 1, key, func(m *manifest.Manifest) {
		m.Probe.OutputSHA256 = strings.Repeat("0", 64)
	})
	tampered := filepath.Join(dir, "tampered.tflite")
	tb := bytes.Clone(good.blob)
	tb[len(tb)/2] ^= 0x40
	if err := os.WriteFile(tampered, tb, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, model, manifest, want string
	}{
		{"unsigned", unsigned.modelPath, unsigned.signedPath, "not signed"},
		{"untrusted key", untrusted.modelPath, untrusted.signedPath, "untrusted key"},
		{"tampered blob", tampered, good.signedPath, "sha256"},
		{"probe mismatch", probeBad.modelPath, probeBad.signedPath, "probe"},
	} {
		out, code := runCLI(t, "models", "import", "--data-dir", data, "--trusted-key", keyPath, tc.model, "--manifest", tc.manifest, "--activate")
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, output %q; want a failure mentioning %q", tc.name, code, out, tc.want)
		}
	}

	// Import the good release offline and serve it.
	if out, code := runCLI(t, "models", "import", "--data-dir", data, "--trusted-key", keyPath, good.modelPath, "--manifest", good.signedPath, "--activate"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, out)
	}
	want1 := expected(t, good.blob)
	agent := startAgent(t, "--data-dir", data, "--trusted-key", keyPath)
	if v, got := predictV2(t, agent.url); v != "1" || !equalFloats(got, want1) {
		t.Fatalf("v2 infer: version %s outputs %v, want 1 %v", v, got, want1)
	}
	if v, got := predictTF(t, agent.url); v != "1" || !equalFloats(got, want1) {
		t.Fatalf("tf predict: version %s outputs %v, want 1 %v", v, got, want1)
	}
	agent.stop(t)

	// After a restart the model serves again from the store alone.
	agent = startAgent(t, "--data-dir", data, "--trusted-key", keyPath)
	if v, got := predictV2(t, agent.url); v != "1" || !equalFloats(got, want1) {
		t.Fatalf("after restart: version %s outputs %v, want 1 %v", v, got, want1)
	}

	// Install and activate version 2 through the running agent, then roll
	// back: each change is served at once.
	v2 := writeRelease(t, dir, "v2", "tiny", "2", 2, key, nil)
	if out, code := runCLI(t, "models", "import", "--data-dir", data, "--agent-addr", agent.addr, v2.modelPath, "--manifest", v2.signedPath, "--activate"); code != 0 {
		t.Fatalf("import v2 via the agent: exit %d: %s", code, out)
	}
	if v, got := predictV2(t, agent.url); v != "2" || !equalFloats(got, expected(t, v2.blob)) {
		t.Fatalf("after activating 2: version %s outputs %v", v, got)
	}
	if out, code := runCLI(t, "models", "rollback", "tiny", "--data-dir", data, "--agent-addr", agent.addr); code != 0 {
		t.Fatalf("rollback via the agent: exit %d: %s", code, out)
	}
	if v, got := predictV2(t, agent.url); v != "1" || !equalFloats(got, want1) {
		t.Fatalf("after rollback: version %s outputs %v", v, got)
	}
	// A probe mismatch is refused through the running agent too.
	bad2 := writeRelease(t, dir, "v3-probe-bad", "tiny", "3", 3, key, func(m *manifest.Manifest) { m.Probe.OutputSHA256 = strings.Repeat("1", 64) })
	if out, code := runCLI(t, "models", "import", "--data-dir", data, "--agent-addr", agent.addr, bad2.modelPath, "--manifest", bad2.signedPath, "--activate"); code == 0 || !strings.Contains(out, "probe") {
		t.Fatalf("probe mismatch via the agent: exit %d: %s", code, out)
	}
	if v, _ := predictV2(t, agent.url); v != "1" {
		t.Fatalf("a refused import changed the served version to %s", v)
	}
	agent.stop(t)

	// The agent wrote nothing outside its data directory: dir holds only
	// what this test wrote plus data/.
	entries, _ := os.ReadDir(data)
	for _, e := range entries {
		if e.Name() != "agent.db" {
			t.Errorf("unexpected file in the data dir: %s", e.Name())
		}
	}
}

func TestAgentUnixSocketAndEmptyStore(t *testing.T) {
	data := t.TempDir()
	agent := startAgent(t, "--data-dir", data, "--unix-socket", "api.sock", "--allow-unsigned")
	if !strings.Contains(agent.stderr.String(), "allow_unsigned is on") {
		t.Errorf("no allow_unsigned warning at start; stderr:\n%s", agent.stderr)
	}
	sock := filepath.Join(data, "api.sock")
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket mode %v, want socket 0660", fi.Mode())
	}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	for path, want := range map[string]int{"/v2/health/live": 200, "/v2/health/ready": 503, "/v2/models/tiny": 404} {
		resp, err := client.Get("http://agent" + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s over the socket: %d, want %d", path, resp.StatusCode, want)
		}
	}
	agent.stop(t)
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind after shutdown: %v", err)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
