package agent_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/proto/inference"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// TestAgentHotSwapUnderLoad swaps the active version of the running agent
// back and forth while 32 HTTP clients infer: no request may fail, and
// each must carry exactly the outputs of the version it reports.
func TestAgentHotSwapUnderLoad(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyDoc, _ := json.Marshal(manifest.NewPublicKey(pub))
	keyPath := filepath.Join(dir, "key.json")
	if err := os.WriteFile(keyPath, keyDoc, 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, v := range []string{"2", "1"} { // 1 last, so it is active at start
		seed := map[string]uint64{"1": 11, "2": 22}[v]
		r := writeRelease(t, dir, "v"+v, "tiny", v, seed, key, nil)
		if out, code := runCLI(t, "models", "import", "--data-dir", data, "--trusted-key", keyPath, r.modelPath, "--manifest", r.signedPath, "--activate"); code != 0 {
			t.Fatalf("import %s: %s", v, out)
		}
		want[v] = fmt.Sprint(expected(t, r.blob))
	}
	// The memo cache is off so every request runs an interpreter.
	agent := startAgent(t, "--data-dir", data, "--trusted-key", keyPath, "--memo-entries", "0", "--queue-length", "64")

	data8, _ := json.Marshal(features)
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, data8)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}, Timeout: 10 * time.Second}
	var (
		stop     atomic.Bool
		served   sync.Map
		requests atomic.Int64
		wg       sync.WaitGroup
		errs     = make(chan error, 32)
	)
	for range 32 {
		wg.Go(func() {
			for !stop.Load() {
				resp, err := client.Post(agent.url+"/v2/models/tiny/infer", "application/json", strings.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d: %s", resp.StatusCode, raw)
					return
				}
				var r inference.InferResponse
				var out []float32
				if err := json.Unmarshal(raw, &r); err != nil {
					errs <- err
					return
				}
				if err := json.Unmarshal(r.Outputs[0].Data, &out); err != nil {
					errs <- err
					return
				}
				if got := fmt.Sprint(out); got != want[r.ModelVersion] {
					errs <- fmt.Errorf("version %q answered %s, want %s", r.ModelVersion, got, want[r.ModelVersion])
					return
				}
				served.Store(r.ModelVersion, true)
				requests.Add(1)
			}
		})
	}
	admin := install.NewClient(agent.addr)
	ctx := context.Background()
	for i := range 6 {
		time.Sleep(100 * time.Millisecond)
		version := []string{"2", "1"}[i%2]
		if _, err := admin.Activate(ctx, "tiny", version); err != nil {
			t.Fatalf("activate %s: %v", version, err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, one := served.Load("1")
	_, two := served.Load("2")
	t.Logf("%d requests, all answered; versions served: 1=%v 2=%v", requests.Load(), one, two)
	if !one || !two {
		t.Fatal("both versions should have served requests")
	}
	agent.stop(t)
}
