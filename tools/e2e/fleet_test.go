package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/tools/testenv"
)

// fleet is a control plane, the model it publishes and what an agent needs
// to trust and run it.
type fleet struct {
	t       *testing.T
	dir     string
	cp      *proc
	cpArgs  []string
	url     string
	token   string
	mqttURL string
	broker  *testenv.MosquittoProcess // nil with the embedded broker
	model   string                    // path of tiny.tflite
	manif   string                    // its signed manifest
	key     string                    // the control plane's signing key (trusted-key file)
}

// newFleet starts a control plane on the embedded broker, or on a real,
// persistent Mosquitto when external is set, and publishes person/1.
func newFleet(t *testing.T, external bool) *fleet {
	t.Helper()
	f := &fleet{t: t, dir: t.TempDir()}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	f.url = "http://" + httpAddr
	f.cpArgs = []string{"serve", "--data-dir", filepath.Join(f.dir, "cp"), "--http-addr", httpAddr, "--log-level", "warn"}
	if external {
		f.broker = testenv.StartMosquittoProcess(t, testenv.MosquittoConfig{Persistent: true})
		f.mqttURL = f.broker.URL
		f.cpArgs = append(f.cpArgs, "--mqtt-url", f.mqttURL)
	} else {
		addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
		f.mqttURL = "tcp://" + addr
		f.cpArgs = append(f.cpArgs, "--mqtt-addr", addr)
	}
	f.startCP()
	raw, err := os.ReadFile(filepath.Join(f.dir, "cp", "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	f.token = strings.TrimSpace(string(raw))

	models := filepath.Join(f.dir, "models")
	run(t, nil, "modelgen", "--out", models)
	f.model = filepath.Join(models, "tiny.tflite")
	f.ctl("model", "push", f.model, "--name", "person", "--version", "1")
	f.manif = filepath.Join(f.dir, "person-1.json")
	writeFile(t, f.manif, f.ctl("model", "manifest", "person", "1"))
	_, key, err := httpGet(f.url+"/api/v1/signing-key", "")
	if err != nil {
		t.Fatal(err)
	}
	f.key = filepath.Join(f.dir, "trusted-key.json")
	writeFile(t, f.key, string(key))
	return f
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (f *fleet) startCP() {
	f.t.Helper()
	f.cp = start(f.t, "edgefleet-controlplane", f.cpArgs...)
	waitFor(f.t, "control plane ready", 30*time.Second, func() bool {
		code, _, err := httpGet(f.url+"/readyz", "")
		return err == nil && code == 200
	})
}

func (f *fleet) ctl(args ...string) string {
	f.t.Helper()
	return run(f.t, []string{"EDGEFLEET_SERVER=" + f.url, "EDGEFLEET_TOKEN=" + f.token, "HOME=" + f.dir}, "edgefleetctl", args...)
}

// device enrolls id and returns an agent for it with person/1 installed
// offline (models import), not yet running.
func (f *fleet) device(id string, extra ...string) *agent {
	f.t.Helper()
	var enrolled struct{ Credential string }
	if err := json.Unmarshal([]byte(f.ctl("device", "enroll", id, "--label", "site=lab", "-o", "json")), &enrolled); err != nil {
		f.t.Fatal(err)
	}
	a := &agent{f: f, id: id, dir: filepath.Join(f.dir, "agent-"+id)}
	a.cred = filepath.Join(f.dir, id+".credential")
	writeFile(f.t, a.cred, enrolled.Credential)
	run(f.t, nil, "edgefleet-agent", "models", "import", "--data-dir", a.dir, f.model, "--manifest", f.manif, "--trusted-key", f.key, "--activate")
	a.addr = fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(f.t))
	a.args = append([]string{"run", "--data-dir", a.dir, "--http-addr", a.addr, "--mqtt-url", f.mqttURL,
		"--device-id", id, "--device-credential", a.cred, "--trusted-key", f.key,
		"--telemetry-interval", "1s", "--mqtt-max-backoff", "3s", "--log-level", "warn"}, extra...)
	return a
}

// telemetry reads the control plane's view of a device.
func (f *fleet) telemetry(id string) deviceTelemetry {
	f.t.Helper()
	code, body, err := httpGet(f.url+"/api/v1/devices/"+id+"/telemetry?from="+fmt.Sprint(time.Now().Add(-time.Hour).Unix()), f.token)
	if err != nil || code != 200 {
		f.t.Fatalf("telemetry: %d %s %v", code, body, err)
	}
	var out deviceTelemetry
	if err := json.Unmarshal(body, &out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

type deviceTelemetry struct {
	Received   uint64      `json:"batches_received"`
	Duplicates uint64      `json:"duplicates"`
	Dropped    uint64      `json:"dropped_batches"`
	Missing    uint64      `json:"missing_batches"`
	Gaps       [][2]uint64 `json:"gaps"`
	LastSeq    uint64      `json:"last_seq"`
	Buckets    []struct {
		Models []struct {
			Requests uint64 `json:"requests"`
		} `json:"models"`
	} `json:"buckets"`
}

func (d deviceTelemetry) requests() uint64 {
	var n uint64
	for _, b := range d.Buckets {
		for _, m := range b.Models {
			n += m.Requests
		}
	}
	return n
}

// agent is one edgefleet-agent process (restartable).
type agent struct {
	f    *fleet
	id   string
	dir  string
	cred string
	addr string
	args []string
	p    *proc
}

func (a *agent) start() {
	a.f.t.Helper()
	a.p = start(a.f.t, "edgefleet-agent", a.args...)
	waitFor(a.f.t, "agent ready", 20*time.Second, func() bool {
		code, _, err := httpGet("http://"+a.addr+"/v2/health/ready", "")
		return err == nil && code == 200
	})
}

// infer sends one prediction and reports whether it succeeded.
func (a *agent) infer(ctx context.Context) bool {
	body := map[string]any{"inputs": []map[string]any{{
		"name": "input", "shape": []int{1, 8}, "datatype": "FP32",
		"data": []float32{0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8},
	}}}
	code, _, err := httpPostJSON(ctx, "http://"+a.addr+"/v2/models/person/infer", body)
	return err == nil && code == http.StatusOK
}

// load sends predictions until stop is closed and counts the successes.
func (a *agent) load(stop <-chan struct{}, ok *atomic.Uint64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if a.infer(ctx) {
			ok.Add(1)
		}
		cancel()
		time.Sleep(5 * time.Millisecond)
	}
}
