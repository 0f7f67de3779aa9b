package ingest

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// TestWriterCacheFollowsOtherWriters: the records the writer keeps decoded
// between groups never overwrite what Sweep or SetReference changed.
func TestWriterCacheFollowsOtherWriters(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		other func(t *testing.T, in *Ingester)
		check func(t *testing.T, in *Ingester)
	}{{
		name: "Sweep",
		cfg:  Config{MinuteRetention: 5 * time.Minute},
		other: func(t *testing.T, in *Ingester) {
			in.now = func() time.Time { return t0.Add(10 * time.Minute) }
			if n, err := in.Sweep(); err != nil || n == 0 {
				t.Fatalf("Sweep = %d, %v", n, err)
			}
		},
		check: func(t *testing.T, in *Ingester) {
			// The swept minute holds only the batch that came after.
			d, err := in.Device("d1", t0.Add(-time.Minute), t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Buckets) != 1 {
				t.Fatalf("%d buckets after sweep, want 1", len(d.Buckets))
			}
			if b := d.Buckets[0]; b.Batches != 1 || b.Models[0].Requests != 10 {
				t.Fatalf("bucket after sweep has %d batches, %d requests; want 1, 10", b.Batches, b.Models[0].Requests)
			}
		},
	}, {
		name: "SetReference",
		cfg:  Config{ReferenceWindow: time.Hour},
		other: func(t *testing.T, in *Ingester) {
			if err := in.SetReference("m", "1", []uint64{7, 7}); err != nil {
				t.Fatal(err)
			}
		},
		check: func(t *testing.T, in *Ingester) {
			m, err := in.Model("m", "1", t0.Add(-time.Hour), t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if r := m.Reference; r == nil || !r.Uploaded || fmt.Sprint(r.Hist) != "[7 7]" {
				t.Fatalf("reference = %+v, want the uploaded [7 7]", r)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "cp.db"), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			in, err := New(db, fakeDevices{"d1": "berlin"}, tc.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			in.now = func() time.Time { return t0 }
			if err := send(t, in, batch("d1", 1, t0, 5, []uint64{1, 2})); err != nil {
				t.Fatal(err)
			}
			tc.other(t, in)
			if err := send(t, in, batch("d1", 2, t0, 10, []uint64{1, 2})); err != nil {
				t.Fatal(err)
			}
			tc.check(t, in)
		})
	}
}

// TestFailedGroupLeavesNoTrace: a group whose transaction rolls back
// leaves neither the store nor the writer's records changed, so the
// batches retried alone count once, and so does a malformed one.
func TestFailedGroupLeavesNoTrace(t *testing.T) {
	in := newIngester(t)
	if err := send(t, in, batch("d2", 1, t0, 1, nil)); err != nil {
		t.Fatal(err)
	}
	p := func(b *telemetryv1.Batch) []byte {
		t.Helper()
		p, err := telemetryv1.Marshal(b, telemetryv1.EncodingProtobuf)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	items := []item{
		{topic: "edgefleet/v1/devices/d1/telemetry", payload: p(batch("d1", 1, t0, 4, nil))},
		{topic: "edgefleet/v1/devices/d1/telemetry", payload: []byte{0xff}}, // malformed
		// A sequence jump fails inside the transaction.
		{topic: "edgefleet/v1/devices/d2/telemetry", payload: p(batch("d2", 2+maxSeqJump, t0, 1, nil))},
	}
	if items = in.decodeGroup(items); len(items) != 2 {
		t.Fatalf("decodeGroup kept %d of 3 items", len(items))
	}
	if err := in.commitGroup(items); err == nil {
		t.Fatal("group with a sequence jump committed")
	}
	if d, _ := in.Device("d1", t0.Add(-time.Hour), t0); d.Received != 0 {
		t.Fatalf("rolled back group left d1 at %d received", d.Received)
	}
	in.commit(items) // what the writer does: the group, then each alone
	d, _ := in.Device("d1", t0.Add(-time.Hour), t0)
	if d.Received != 1 || len(d.Buckets) != 1 || d.Buckets[0].Models[0].Requests != 4 {
		t.Fatalf("d1 after retry: received %d buckets %+v", d.Received, d.Buckets)
	}
	if n := in.Malformed("decode"); n != 1 {
		t.Fatalf("malformed payload counted %d times", n)
	}
}

// TestSubmitKeepsOrderAndLosesNothing: many devices' batches submitted
// faster than a group lingers are all committed, once and in order per
// device (a batch overtaken by a later one would count as missing first),
// malformed ones are counted, and Close waits for all of them.
func TestSubmitKeepsOrderAndLosesNothing(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "cp.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const devices, perDevice = 8, 1200 // more than two whole groups
	devs := fakeDevices{}
	for i := range devices {
		devs[fmt.Sprintf("dev-%d", i)] = "site"
	}
	in, err := New(db, devs, Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in.now = func() time.Time { return t0 }
	for seq := uint64(1); seq <= perDevice; seq++ {
		for i := range devices {
			dev := fmt.Sprintf("dev-%d", i)
			p, err := telemetryv1.Marshal(batch(dev, seq, t0, 1, nil), telemetryv1.EncodingProtobuf)
			if err != nil {
				t.Fatal(err)
			}
			in.Submit("edgefleet/v1/devices/"+dev+"/telemetry", p)
		}
		if seq%100 == 0 {
			in.Submit("edgefleet/v1/devices/dev-0/telemetry", []byte{0xff, 0xff})
		}
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if got := in.stats.batches.Load(); got != devices*perDevice {
		t.Fatalf("committed %d batches, want %d", got, devices*perDevice)
	}
	if got := in.stats.missing.Load(); got != 0 {
		t.Fatalf("%d sequence numbers seen missing: batches were reordered", got)
	}
	if got := in.Malformed("decode"); got != perDevice/100 {
		t.Fatalf("malformed %d, want %d", got, perDevice/100)
	}
	for i := range devices {
		d, err := in.Device(fmt.Sprintf("dev-%d", i), t0.Add(-time.Hour), t0)
		if err != nil || d.Received != perDevice || d.LastSeq != perDevice || d.Missing != 0 || d.Duplicates != 0 {
			t.Fatalf("dev-%d: %+v, %v", i, d, err)
		}
	}
}

// TestWatchedBatchesStayIntact: batches are decoded into reused messages,
// but one handed to a watcher is never reused under it, whether it came
// through Handle or Submit.
func TestWatchedBatchesStayIntact(t *testing.T) {
	for _, via := range []string{"Handle", "Submit"} {
		t.Run(via, func(t *testing.T) {
			in := newIngester(t)
			ingest := func(b *telemetryv1.Batch) {
				if via == "Handle" {
					if err := send(t, in, b); err != nil {
						t.Fatal(err)
					}
					return
				}
				p, err := telemetryv1.Marshal(b, telemetryv1.EncodingProtobuf)
				if err != nil {
					t.Fatal(err)
				}
				in.Submit("edgefleet/v1/devices/"+b.DeviceId+"/telemetry", p)
			}
			ch, stop := in.Watch()
			first := batch("d1", 1, t0, 3, []uint64{9, 8, 7})
			ingest(first)
			var got *telemetryv1.Batch
			select {
			case got = <-ch:
			case <-time.After(5 * time.Second):
				t.Fatal("the watcher got no batch")
			}
			stop() // later batches go to no watcher, so back to the pool
			for seq := uint64(2); seq < 50; seq++ {
				b := batch("d1", seq, t0, seq, []uint64{seq, seq, seq})
				b.Models[0].Model = fmt.Sprintf("other%d", seq)
				ingest(b)
			}
			if err := in.Close(); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, first) {
				t.Fatalf("watched batch changed to %v, want %v", got, first)
			}
		})
	}
}
