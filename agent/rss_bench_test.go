package agent_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

// vmRSS reads a process's resident set size from /proc.
func vmRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// BenchmarkIdleRSS starts the real agent with one small model, serves a
// few requests, lets it settle, and reports its resident set size.
func BenchmarkIdleRSS(b *testing.B) {
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	keyDoc, _ := json.Marshal(manifest.NewPublicKey(pub))
	keyPath := filepath.Join(dir, "key.json")
	if err := os.WriteFile(keyPath, keyDoc, 0o600); err != nil {
		b.Fatal(err)
	}
	r := writeRelease(b, dir, "tiny", "tiny", "1", 1, key, nil)
	if out, code := runCLI(b, "models", "import", "--data-dir", data, "--trusted-key", keyPath, r.modelPath, "--manifest", r.signedPath, "--activate"); code != 0 {
		b.Fatalf("import: %s", out)
	}
	agent := startAgent(b, "--data-dir", data, "--trusted-key", keyPath)
	for range 10 {
		predictV2(b, agent.url)
	}
	time.Sleep(2 * time.Second)
	var rss int64
	for b.Loop() {
		if rss, err = vmRSS(agent.cmd.Process.Pid); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rss)/(1<<20), "RSS-MiB")
	agent.stop(b)
}
