package ingest

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/types/known/timestamppb"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

type fakeDevices map[string]string // id → group

func (f fakeDevices) Group(_ context.Context, id string) (string, bool) {
	g, ok := f[id]
	return g, ok
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func newIngester(t *testing.T) *Ingester {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cp.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	in, err := New(db, fakeDevices{"d1": "berlin", "d2": "paris"}, Config{ReferenceWindow: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.now = func() time.Time { return t0 }
	return in
}

// batch builds a batch at window end `at` with n requests of model m v1
// whose first input histogram is hist.
func batch(dev string, seq uint64, at time.Time, n uint64, hist []uint64) *telemetryv1.Batch {
	lat := make([]uint64, 18)
	lat[4] = n // ≤ 1 ms
	return &telemetryv1.Batch{
		DeviceId: dev, BootId: "b", Seq: seq, WindowEnd: timestamppb.New(at),
		Models: []*telemetryv1.ModelWindow{{
			Model: "m", Version: "1", Requests: n, Errors: []*telemetryv1.ErrorCount{{Kind: "invoke", Count: 1}},
			LatencyBoundsUs: []uint64{50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000},
			LatencyCounts:   lat, Top1: []*telemetryv1.ClassCount{{Class: 3, Count: n}},
			Inputs: []*telemetryv1.TensorSummary{{Name: "x", Count: n, Hist: hist}},
		}},
		Health: &telemetryv1.Health{CpuLoad1: 0.5},
	}
}

func send(t *testing.T, in *Ingester, b *telemetryv1.Batch) error {
	t.Helper()
	p, err := telemetryv1.Marshal(b, telemetryv1.EncodingProtobuf)
	if err != nil {
		t.Fatal(err)
	}
	return in.Handle(context.Background(), "edgefleet/v1/devices/"+b.DeviceId+"/telemetry", p)
}

func TestDedupAndGaps(t *testing.T) {
	in := newIngester(t)
	h := []uint64{1, 1}
	for _, seq := range []uint64{1, 2, 2, 5, 3, 1} {
		if err := send(t, in, batch("d1", seq, t0, 10, h)); err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
	}
	d, err := in.Device("d1", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// 1,2,5,3 are new; the second 2 and the second 1 are duplicates; 4 is missing.
	if d.Received != 4 || d.Duplicates != 2 || d.Missing != 1 || d.LastSeq != 5 {
		t.Fatalf("state = received %d dup %d missing %d last %d", d.Received, d.Duplicates, d.Missing, d.LastSeq)
	}
	if len(d.Gaps) != 1 || d.Gaps[0] != [2]uint64{4, 4} {
		t.Fatalf("gaps = %v, want [[4 4]]", d.Gaps)
	}
	if len(d.Buckets) != 1 || d.Buckets[0].Batches != 4 || d.Buckets[0].Models[0].Requests != 40 {
		t.Fatalf("buckets = %+v", d.Buckets)
	}
	if d.Buckets[0].Health == nil || d.Buckets[0].Health.CPULoad1 != 0.5 {
		t.Fatalf("health not kept: %+v", d.Buckets[0].Health)
	}
}

func TestMalformedNeverPoisons(t *testing.T) {
	in := newIngester(t)
	good, _ := telemetryv1.Marshal(batch("d1", 7, t0, 1, nil), telemetryv1.EncodingProtobuf)
	cases := []struct {
		name, topic, reason string
		payload             []byte
		want                error
	}{
		{"topic", "edgefleet/v1/devices/d1/status", "topic", good, ErrMalformed},
		{"bad topic", "some/other/topic", "topic", good, ErrMalformed},
		{"garbage", "edgefleet/v1/devices/d1/telemetry", "decode", []byte{0xff, 0x01, 0x02}, ErrMalformed},
		{"oversize", "edgefleet/v1/devices/d1/telemetry", "oversize", make([]byte, 2<<20), ErrMalformed},
		{"other device's topic", "edgefleet/v1/devices/d2/telemetry", "device_mismatch", good, ErrMalformed},
		{"unknown device", "edgefleet/v1/devices/ghost/telemetry", "unknown_device", mustMarshal(t, batch("ghost", 1, t0, 1, nil)), ErrUnknownDevice},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := in.Malformed(tc.reason)
			err := in.Handle(context.Background(), tc.topic, tc.payload)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if in.Malformed(tc.reason) != before+1 {
				t.Fatalf("reason %q not counted", tc.reason)
			}
		})
	}
	// None of that touched d1's stream: seq 1 is still new.
	if err := send(t, in, batch("d1", 1, t0, 1, nil)); err != nil {
		t.Fatal(err)
	}
	d, _ := in.Device("d1", t0.Add(-time.Minute), t0)
	if d.Received != 1 || d.LastSeq != 1 || d.Duplicates != 0 {
		t.Fatalf("device state after malformed traffic: %+v", d)
	}
}

func mustMarshal(t *testing.T, b *telemetryv1.Batch) []byte {
	p, err := telemetryv1.Marshal(b, telemetryv1.EncodingJSON)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestModelMetricsAndDrift(t *testing.T) {
	in := newIngester(t)
	ref := []uint64{50, 50, 0, 0}
	shifted := []uint64{0, 0, 50, 50}
	// First hour: the reference is adopted from both groups.
	if err := send(t, in, batch("d1", 1, t0.Add(10*time.Minute), 100, ref)); err != nil {
		t.Fatal(err)
	}
	if err := send(t, in, batch("d2", 1, t0.Add(20*time.Minute), 100, ref)); err != nil {
		t.Fatal(err)
	}
	// Second hour: berlin keeps its distribution, paris drifts.
	if err := send(t, in, batch("d1", 2, t0.Add(70*time.Minute), 100, ref)); err != nil {
		t.Fatal(err)
	}
	if err := send(t, in, batch("d2", 2, t0.Add(80*time.Minute), 100, shifted)); err != nil {
		t.Fatal(err)
	}
	m, err := in.Model("m", "1", t0, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if m.Requests != 400 || m.Errors != 4 || m.ErrorRate != 0.01 || m.Top1[3] != 400 {
		t.Fatalf("totals = %+v", m)
	}
	// All latencies sit in the (500 µs, 1 ms] bucket.
	if m.LatencyP50Us <= 500 || m.LatencyP50Us > 1000 || m.LatencyP99Us > 1000 {
		t.Fatalf("quantiles p50 %v p99 %v", m.LatencyP50Us, m.LatencyP99Us)
	}
	if m.Reference == nil || !m.Reference.Frozen {
		t.Fatalf("reference not adopted and frozen: %+v", m.Reference)
	}
	var berlin, paris *DriftPoint
	for i, p := range m.Drift {
		if p.Hour.Equal(t0.Add(time.Hour)) {
			switch p.Group {
			case "berlin":
				berlin = &m.Drift[i]
			case "paris":
				paris = &m.Drift[i]
			}
		}
	}
	if berlin == nil || paris == nil {
		t.Fatalf("drift points = %+v", m.Drift)
	}
	if berlin.PSI > 0.01 || berlin.Drift {
		t.Fatalf("berlin PSI = %v, want ~0", berlin.PSI)
	}
	if paris.PSI < 1 || !paris.Drift || !m.Drifting {
		t.Fatalf("paris PSI = %v drift %v, want a large drift", paris.PSI, paris.Drift)
	}
}

func TestPSI(t *testing.T) {
	tests := []struct {
		name     string
		e, a     []uint64
		min, max float64
	}{
		{"same shape", []uint64{10, 10}, []uint64{20, 20}, 0, 1e-12},
		// (0.5−0.9)·ln(0.5/0.9) + (0.5−0.1)·ln(0.5/0.1) = 0.2351 + 0.6438
		{"shifted", []uint64{90, 10}, []uint64{50, 50}, 0.8788, 0.8790},
		{"mismatched lengths", nil, []uint64{1}, 0, 0},
		{"empty actual", []uint64{1, 2}, []uint64{0, 0}, 0, 0},
	}
	for _, tc := range tests {
		if got := PSI(tc.e, tc.a); got < tc.min || got > tc.max {
			t.Errorf("%s: PSI = %v, want in [%v, %v]", tc.name, got, tc.min, tc.max)
		}
	}
}

func TestSweepAndMetrics(t *testing.T) {
	in := newIngester(t)
	if err := send(t, in, batch("d1", 1, t0, 5, nil)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(72 * time.Hour)
	in.now = func() time.Time { return later }
	if err := send(t, in, batch("d1", 2, later, 5, nil)); err != nil {
		t.Fatal(err)
	}
	n, err := in.Sweep()
	if err != nil || n != 2 { // the 72 h old minute buckets (device and model); hour buckets stay (30 d)
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	if err := testutil.CollectAndCompare(in, strings.NewReader(`
# HELP edgefleet_model_requests_total Inference requests devices served, fleet-wide.
# TYPE edgefleet_model_requests_total counter
edgefleet_model_requests_total{model="m",version="1"} 10
# HELP edgefleet_telemetry_batches_total Telemetry batches ingested (duplicates excluded).
# TYPE edgefleet_telemetry_batches_total counter
edgefleet_telemetry_batches_total 2
`), "edgefleet_model_requests_total", "edgefleet_telemetry_batches_total"); err != nil {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	in := newIngester(t)
	ch, stop := in.Watch()
	defer stop()
	_ = send(t, in, batch("d1", 1, t0, 1, nil))
	_ = send(t, in, batch("d1", 1, t0, 1, nil)) // duplicate: not broadcast
	select {
	case b := <-ch:
		if b.Seq != 1 {
			t.Fatalf("seq %d", b.Seq)
		}
	case <-time.After(time.Second):
		t.Fatal("no batch")
	}
	select {
	case b := <-ch:
		t.Fatalf("duplicate broadcast: %v", b)
	default:
	}
}

func TestInvalidBatchesRejected(t *testing.T) {
	in := newIngester(t)
	nan := math.NaN()
	cases := map[string]func(b *telemetryv1.Batch){
		"nan health":      func(b *telemetryv1.Batch) { b.Health.CpuLoad1 = nan },
		"bad model name":  func(b *telemetryv1.Batch) { b.Models[0].Model = "a\x00b" },
		"counts ≠ bounds": func(b *telemetryv1.Batch) { b.Models[0].LatencyCounts = b.Models[0].LatencyCounts[:3] },
		"bounds unsorted": func(b *telemetryv1.Batch) { b.Models[0].LatencyBoundsUs[2] = 1 },
		"nan summary":     func(b *telemetryv1.Batch) { b.Models[0].Inputs[0].Mean = nan },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			b := batch("d1", 1, t0, 3, []uint64{1})
			mutate(b)
			before := in.Malformed("invalid")
			if err := send(t, in, b); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if in.Malformed("invalid") != before+1 {
				t.Fatal("not counted as invalid")
			}
		})
	}
	// None of them touched d1: seq 1 is still new.
	if err := send(t, in, batch("d1", 1, t0, 3, []uint64{1})); err != nil {
		t.Fatal(err)
	}
	if d, _ := in.Device("d1", t0.Add(-time.Hour), t0); d.Received != 1 {
		t.Fatalf("received %d", d.Received)
	}
}

func TestSequenceResetsAndJumps(t *testing.T) {
	in := newIngester(t)
	mk := func(seq uint64, inst string) *telemetryv1.Batch {
		b := batch("d1", seq, t0, 1, nil)
		b.InstanceId = inst
		return b
	}
	for _, seq := range []uint64{1, 2, 3} {
		if err := send(t, in, mk(seq, "A")); err != nil {
			t.Fatal(err)
		}
	}
	// A hostile jump is refused and does not hide the stream.
	if err := send(t, in, mk(3+maxSeqJump+1, "A")); err == nil {
		t.Fatal("huge sequence jump accepted")
	}
	if err := send(t, in, mk(4, "A")); err != nil {
		t.Fatal(err)
	}
	// A reinstalled device (new instance id) starts again at 1.
	if err := send(t, in, mk(1, "B")); err != nil {
		t.Fatal(err)
	}
	d, _ := in.Device("d1", t0.Add(-time.Hour), t0)
	if d.Received != 5 || d.Duplicates != 0 || d.LastSeq != 1 || d.Missing != 0 {
		t.Fatalf("after reset: %+v", d)
	}
}

// TestBadBatchDoesNotSinkItsGroup: a batch the store cannot take loses only
// itself, not the group it was committed with.
func TestBadBatchDoesNotSinkItsGroup(t *testing.T) {
	in := newIngester(t)
	bad := batch("d2", 1, t0, 1, nil)
	bad.Seq = 5
	good := batch("d1", 1, t0, 1, nil)
	// Force one failing item: a sequence jump fails inside the transaction.
	if err := send(t, in, batch("d2", 1, t0, 1, nil)); err != nil {
		t.Fatal(err)
	}
	bad.Seq = 2 + maxSeqJump
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, b := range []*telemetryv1.Batch{bad, good} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = send(t, in, b) }()
	}
	wg.Wait()
	if errs[0] == nil || errs[1] != nil {
		t.Fatalf("errors = %v", errs)
	}
	if d, _ := in.Device("d1", t0.Add(-time.Hour), t0); d.Received != 1 {
		t.Fatalf("good batch lost with the bad one: %+v", d)
	}
}
