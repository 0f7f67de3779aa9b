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

	paho "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/edgefleet/edgefleet/controlplane/internal/server"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

func sampleBatch(seq uint64) *telemetryv1.Batch {
	counts := make([]uint64, 18)
	counts[4] = 10 // (500 µs, 1 ms]
	temp := 51.5
	return &telemetryv1.Batch{DeviceId: "cam-1", Seq: seq, DroppedBatches: 3, WindowEnd: timestamppb.Now(),
		Models: []*telemetryv1.ModelWindow{{Model: "person", Version: "1", Requests: 10, Errors: []*telemetryv1.ErrorCount{{Kind: "invoke", Count: 2}},
			LatencyBoundsUs: []uint64{50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000},
			LatencyCounts:   counts, Top1: []*telemetryv1.ClassCount{{Class: 5, Count: 1}, {Class: 2, Count: 9}}}},
		Health: &telemetryv1.Health{CpuLoad1: 0.25, MemAvailableBytes: 64 << 20, TemperatureC: &temp}}
}

func TestTailFormatsBatches(t *testing.T) {
	line, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(sampleBatch(7))
	if err != nil {
		t.Fatal(err)
	}
	stream := "\n" + string(line) + "\n\n" // keep-alives around one batch
	var out bytes.Buffer
	if err := tail(strings.NewReader(stream), &out, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cam-1 seq=7", "DROPPED=3", "person/1 req=10 err=2", "p50=750µs", "top1=2(9)", "load=0.25 mem=64MiB temp=51.5C"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tail output %q lacks %q", out.String(), want)
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("tail printed %d lines for one batch", n)
	}

	out.Reset()
	if err := tail(strings.NewReader(stream), &out, true); err != nil || strings.TrimSpace(out.String()) != string(line) {
		t.Fatalf("raw tail = %q, %v", out.String(), err)
	}
	if err := tail(strings.NewReader("{not json}\n"), &out, false); err == nil {
		t.Fatal("garbage line accepted")
	}
}

// TestTelemetryShowLive publishes windows as a device on the embedded
// broker and reads them back with `telemetry show`.
func TestTelemetryShowLive(t *testing.T) {
	cfg := server.Defaults()
	cfg.DataDir, cfg.HTTPAddr, cfg.MQTTAddr = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := server.Start(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok, _ := os.ReadFile(cfg.AdminTokenPath())
	c := cli{t: t, server: s.URL(), token: strings.TrimSpace(string(tok)), cfg: filepath.Join(t.TempDir(), "ctl.yaml")}
	var enrolled map[string]string
	if err := json.Unmarshal([]byte(c.ok("device", "enroll", "cam-1", "-o", "json")), &enrolled); err != nil {
		t.Fatal(err)
	}
	dev := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + s.MQTTAddr()).SetClientID("cam-1").SetUsername("cam-1").SetPassword(enrolled["credential"]))
	if tk := dev.Connect(); !tk.WaitTimeout(5*time.Second) || tk.Error() != nil {
		t.Fatalf("connect: %v", tk.Error())
	}
	defer dev.Disconnect(50)
	for _, seq := range []uint64{1, 2} {
		p, _ := proto.Marshal(sampleBatch(seq))
		dev.Publish("edgefleet/v1/devices/cam-1/telemetry", 1, false, p).WaitTimeout(5 * time.Second)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := c.ok("telemetry", "show", "cam-1", "-o", "json")
		var got struct {
			Received uint64 `json:"batches_received"`
			Dropped  uint64 `json:"dropped_batches"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("show -o json: %q: %v", out, err)
		}
		if got.Received == 2 {
			if got.Dropped != 6 {
				t.Fatalf("dropped = %d, want 6", got.Dropped)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("telemetry never arrived: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := c.ok("telemetry", "show", "cam-1"); !strings.Contains(out, "person/1") || !strings.Contains(out, "20") {
		t.Fatalf("table: %q", out)
	}
	c.ok("model", "push", writeModel(t, 1), "--name", "person", "--version", "1")
	if out := c.ok("model", "metrics", "person", "1"); !strings.Contains(out, "person/1") || !strings.Contains(out, "20.00%") {
		t.Fatalf("model metrics: %q", out)
	}
	if _, errs, code := c.run("telemetry", "show", "cam-1", "--from", "soon"); code == 0 || !strings.Contains(errs, "from") {
		t.Fatalf("bad --from: %d %q", code, errs)
	}
}

func TestTopClass(t *testing.T) {
	cc := func(pairs ...uint64) []*telemetryv1.ClassCount {
		var out []*telemetryv1.ClassCount
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, &telemetryv1.ClassCount{Class: uint32(pairs[i]), Count: pairs[i+1]})
		}
		return out
	}
	tests := []struct {
		name    string
		classes []*telemetryv1.ClassCount
		class   uint32
		n       uint64
	}{
		{"none", nil, 0, 0},
		{"one", cc(4, 2), 4, 2},
		{"most frequent", cc(1, 3, 7, 5, 2, 4), 7, 5},
		{"tie: lowest class", cc(9, 5, 3, 5), 3, 5},
		{"listed twice: added", cc(1, 3, 2, 4, 1, 3), 1, 6},
	}
	for _, tc := range tests {
		if class, n := topClass(tc.classes); class != tc.class || n != tc.n {
			t.Errorf("%s: topClass = %d(%d), want %d(%d)", tc.name, class, n, tc.class, tc.n)
		}
	}
}
