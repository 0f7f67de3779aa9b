package server

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// Sizes of the big model: one FULLY_CONNECTED whose int8 weights are
// bigRows×bigCols bytes (200 MiB).
const (
	bigCols = 1024
	bigRows = 200 << 10
)

// rssSlack is what an upload may hold beyond one copy of the model.
const rssSlack = 64 << 20

// TestUploadRSS uploads a 200 MiB model to a control plane running in its
// own process and checks that the process's peak RSS grows by less than
// the model's size plus 64 MiB: the upload is streamed to disk and only
// validation reads the file into memory, once.
func TestUploadRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 200 MiB; skipped with -short")
	}
	if raceEnabled {
		t.Skip("memory is meaningless under -race; `make test` runs this test again without it")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "big.tflite")
	helper(t, "TestHelperBigModel", "EDGEFLEET_BIG_MODEL="+model).Run()
	st, err := os.Stat(model)
	if err != nil || st.Size() < bigRows*bigCols {
		t.Fatalf("big model not written: %v", err)
	}

	urlFile := filepath.Join(dir, "url")
	data := filepath.Join(dir, "data")
	srv := helper(t, "TestHelperServer", "EDGEFLEET_RSS_DATA="+data, "EDGEFLEET_RSS_URL="+urlFile)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	base := waitFile(t, urlFile)
	token := strings.TrimSpace(waitFile(t, filepath.Join(data, "admin.token")))

	upload := func(version, path string) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, _ := f.Stat()
		req, _ := http.NewRequest("POST", base+"/api/v1/models/big/versions?version="+version, f)
		req.ContentLength = fi.Size()
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %s", version, resp.Status)
		}
	}
	// Warm up every code path with a tiny model so the baseline includes
	// them.
	tiny := filepath.Join(dir, "tiny.tflite")
	os.WriteFile(tiny, tinyModel(t, 1), 0o600)
	upload("warmup", tiny)
	before := peakRSS(t, srv.Process.Pid)
	start := time.Now()
	upload("1", model)
	after := peakRSS(t, srv.Process.Pid)
	growth := after - before
	t.Logf("model %d MiB uploaded in %s; peak RSS %d → %d MiB (growth %d MiB, limit %d MiB)",
		st.Size()>>20, time.Since(start).Round(time.Millisecond), before>>20, after>>20, growth>>20, (st.Size()+rssSlack)>>20)
	if growth >= st.Size()+rssSlack {
		t.Fatalf("peak RSS grew by %d bytes, limit %d (model %d + %d)", growth, st.Size()+rssSlack, st.Size(), rssSlack)
	}
}

// helper re-runs this test binary to execute one helper test.
func helper(t *testing.T, name string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestHelperBigModel writes the 200 MiB model when run by TestUploadRSS.
func TestHelperBigModel(t *testing.T) {
	out := os.Getenv("EDGEFLEET_BIG_MODEL")
	if out == "" {
		t.Skip("helper process for TestUploadRSS")
	}
	w := make([]byte, bigRows*bigCols)
	for i := range w {
		w[i] = byte(i*31 + i>>10) // any deterministic non-constant pattern
	}
	b := builder.New()
	in := b.Input("input", builder.Int8, []int{1, bigCols}, builder.PerTensor(1.0/32, 0))
	wt := b.Const("weights", builder.Int8, []int{bigRows, bigCols}, w, builder.PerTensor(0.01, 0))
	w = nil
	o := b.Tensor("logits", builder.Int8, []int{1, bigRows}, builder.PerTensor(0.5, 0))
	b.Op(builder.FullyConnected{}, []int{in, wt, -1}, []int{o})
	b.Output(o)
	buf, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestHelperServer runs a control plane until killed, for TestUploadRSS.
func TestHelperServer(t *testing.T) {
	data := os.Getenv("EDGEFLEET_RSS_DATA")
	if data == "" {
		t.Skip("helper process for TestUploadRSS")
	}
	cfg := Defaults()
	cfg.DataDir, cfg.HTTPAddr, cfg.MQTTAddr = data, "127.0.0.1:0", "127.0.0.1:0"
	s, err := Start(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("EDGEFLEET_RSS_URL")+".tmp", []byte(s.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(os.Getenv("EDGEFLEET_RSS_URL")+".tmp", os.Getenv("EDGEFLEET_RSS_URL"))
	select {} // killed by the parent
}

func waitFile(t *testing.T, path string) string {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return string(b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", path)
	return ""
}

// peakRSS reads VmHWM (peak resident set) of pid in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("VmHWM not found")
	return 0
}
