package telemetry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecorderAggregatesPerModel(t *testing.T) {
	r := NewRecorder()
	out := Tensor{Name: "probs", Kind: KindInt8, Int8: []int8{-128, 100, 5}}
	in := Tensor{Name: "x", Kind: KindInt8, Int8: []int8{-128, 0, 127}}
	r.Observe(Event{Model: "m", Version: "2", SHA256: "abc", Latency: 80 * time.Microsecond, Inputs: []Tensor{in}, Outputs: []Tensor{out}})
	r.Observe(Event{Model: "m", Version: "2", Latency: 3 * time.Millisecond, MemoHit: true, Inputs: []Tensor{in}, Outputs: []Tensor{out}})
	r.Observe(Event{Model: "m", Version: "2", Latency: time.Minute, ErrKind: "invoke"})
	r.Observe(Event{Model: "m", Version: "2", QueueRejected: true})
	r.Observe(Event{Model: "a", Version: "1", Latency: time.Millisecond})

	w := r.Flush()
	if len(w) != 2 || w[0].Model != "a" || w[1].Model != "m" {
		t.Fatalf("windows = %v", w)
	}
	m := w[1]
	if m.Requests != 3 || len(m.Errors) != 1 || m.Errors[0].Kind != "invoke" || m.Errors[0].Count != 1 ||
		m.MemoHits != 1 || m.QueueRejections != 1 || m.Sha256 != "abc" {
		t.Fatalf("counts wrong: %+v", m)
	}
	// 80µs → bucket ≤100 (index 1); 3ms → ≤5ms (index 6); 1 min → overflow.
	want := map[int]uint64{1: 1, 6: 1, len(LatencyBoundsMicros): 1}
	for i, c := range m.LatencyCounts {
		if c != want[i] {
			t.Fatalf("latency bucket %d = %d, want %d (all %v)", i, c, want[i], m.LatencyCounts)
		}
	}
	if len(m.Top1) != 1 || m.Top1[0].Class != 1 || m.Top1[0].Count != 2 {
		t.Fatalf("top1 = %v, want class 1 twice", m.Top1)
	}
	s := m.Inputs[0]
	if s.Count != 6 || s.Min != -128 || s.Max != 127 || s.Hist[0] != 2 || s.Hist[8] != 2 || s.Hist[15] != 2 {
		t.Fatalf("input summary = %+v", s)
	}
	if again := r.Flush(); len(again) != 0 {
		t.Fatalf("second flush = %v, want empty window", again)
	}
}

// TestFlushListsCountsSorted: errors by kind and top-1 counts by class
// come out sorted, so a window always encodes the same way.
func TestFlushListsCountsSorted(t *testing.T) {
	r := NewRecorder()
	for _, kind := range []string{"timeout", "invoke", "bad_request", "invoke"} {
		r.Observe(Event{Model: "m", Version: "1", ErrKind: kind})
	}
	for _, class := range []int8{3, 1, 2, 1, 1} {
		logits := []int8{0, 0, 0, 0}
		logits[class] = 100
		r.Observe(Event{Model: "m", Version: "1", Outputs: []Tensor{{Name: "p", Kind: KindInt8, Int8: logits}}})
	}
	w := r.Flush()[0]
	var errs, top1 []string
	for _, e := range w.Errors {
		errs = append(errs, fmt.Sprintf("%s=%d", e.Kind, e.Count))
	}
	for _, c := range w.Top1 {
		top1 = append(top1, fmt.Sprintf("%d=%d", c.Class, c.Count))
	}
	if got, want := strings.Join(errs, " "), "bad_request=1 invoke=2 timeout=1"; got != want {
		t.Errorf("errors = %s, want %s", got, want)
	}
	if got, want := strings.Join(top1, " "), "1=3 2=1 3=1"; got != want {
		t.Errorf("top1 = %s, want %s", got, want)
	}
}

func TestHealthFromFakeRoot(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proc/loadavg", "0.75 0.50 0.25 1/100 42\n")
	write("proc/meminfo", "MemTotal:        1000 kB\nMemFree: 10 kB\nMemAvailable:     500 kB\n")
	write("proc/uptime", "3600.5 100.0\n")
	h := HealthSource{Root: root, DataDir: root}.Read()
	if h.CpuLoad1 != 0.75 || h.MemTotalBytes != 1024000 || h.MemAvailableBytes != 512000 || h.UptimeSeconds != 3600 {
		t.Fatalf("health = %+v", h)
	}
	if h.TemperatureC != nil {
		t.Fatalf("temperature present without a thermal zone: %v", *h.TemperatureC)
	}
	if h.DiskFreeBytes == 0 {
		t.Fatal("disk free not measured")
	}
	write("sys/class/thermal/thermal_zone0/temp", "48500\n")
	if h := (HealthSource{Root: root}).Read(); h.TemperatureC == nil || *h.TemperatureC != 48.5 {
		t.Fatalf("temperature = %v", h.TemperatureC)
	}
}
