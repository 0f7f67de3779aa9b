package ingest

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	bolt "go.etcd.io/bbolt"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
	"github.com/edgefleet/edgefleet/proto/topic"
	"github.com/edgefleet/edgefleet/tools/testenv"
)

// BenchmarkIngestRate measures how many telemetry batches per second the
// ingester takes from a real Mosquitto, next to the rate a bare paho
// subscriber drains the same queue at in the same run. b.N batches from 50
// devices are queued at the broker for three persistent sessions, which
// then drain alone one after the other: bare, ingester, bare again. The
// raw rate is the mean of the two bare drains, since the broker serves a
// later queue differently from the first.
//
//	go test -run XXX -bench IngestRate -benchtime 20000x ./controlplane/internal/ingest
func BenchmarkIngestRate(b *testing.B) {
	broker := testenv.MosquittoWith(b, testenv.MosquittoConfig{
		Extra: "allow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0",
	})
	const devices = 50
	filter := topic.Filter(topic.Telemetry)
	session := func(id string, handler mqtt.MessageHandler) mqtt.Client {
		opts := mqtt.NewClientOptions().AddBroker(broker.URL).SetClientID(id).SetCleanSession(false).
			SetDefaultPublishHandler(handler)
		c := mqtt.NewClient(opts)
		if t := c.Connect(); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
			b.Fatalf("%s connect: %v", id, t.Error())
		}
		return c
	}
	// Register both persistent sessions, then leave so messages queue.
	for _, id := range []string{"raw", "ingest", "raw2"} {
		c := session(id, func(mqtt.Client, mqtt.Message) {})
		if t := c.Subscribe(filter, 1, nil); !t.WaitTimeout(5*time.Second) || t.Error() != nil {
			b.Fatal(t.Error())
		}
		c.Disconnect(100)
	}

	pub := session("publisher", nil)
	tokens := make([]mqtt.Token, 0, b.N)
	for i := 0; i < b.N; i++ {
		dev := fmt.Sprintf("dev-%02d", i%devices)
		p, err := telemetryv1.Marshal(batch(dev, uint64(i/devices+1), t0, 10, []uint64{1, 2, 3, 4}), telemetryv1.EncodingProtobuf)
		if err != nil {
			b.Fatal(err)
		}
		t, _ := topic.Device(dev, topic.Telemetry)
		tokens = append(tokens, pub.Publish(t, 1, false, p))
	}
	for _, t := range tokens {
		if !t.WaitTimeout(30*time.Second) || t.Error() != nil {
			b.Fatalf("publish: %v", t.Error())
		}
	}
	pub.Disconnect(100)

	drainRaw := func(id string) float64 {
		var n atomic.Int64
		done := make(chan struct{})
		start := time.Now()
		c := session(id, func(mqtt.Client, mqtt.Message) {
			if n.Add(1) == int64(b.N) {
				close(done)
			}
		})
		waitOr(b, done, "raw subscriber "+id)
		rate := float64(b.N) / time.Since(start).Seconds()
		c.Disconnect(100)
		return rate
	}
	raw1 := drainRaw("raw")

	// Ingester: decode, dedup, aggregate, commit.
	db, err := bolt.Open(filepath.Join(b.TempDir(), "cp.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	devs := fakeDevices{}
	for i := range devices {
		devs[fmt.Sprintf("dev-%02d", i)] = "site"
	}
	in, err := New(db, devs, Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	ic := session("ingest", func(_ mqtt.Client, m mqtt.Message) { in.Submit(m.Topic(), m.Payload()) })
	deadline := time.Now().Add(5 * time.Minute)
	for in.stats.batches.Load()+in.stats.duplicates.Load() < uint64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("ingested %d of %d", in.stats.batches.Load(), b.N)
		}
		time.Sleep(time.Millisecond)
	}
	ingRate := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()
	ic.Disconnect(100)
	in.Close()
	rawRate := (raw1 + drainRaw("raw2")) / 2
	b.ReportMetric(rawRate, "raw_batches/s")
	b.ReportMetric(ingRate, "ingest_batches/s")
	b.ReportMetric(ingRate/rawRate, "ingest/raw")
}

func waitOr(b *testing.B, ch <-chan struct{}, what string) {
	b.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Minute):
		b.Fatalf("%s did not finish", what)
	}
}

// BenchmarkSubmit measures the ingester alone (decode, dedup, aggregate,
// group commit), without a broker.
func BenchmarkSubmit(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "cp.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const devices = 50
	devs := fakeDevices{}
	payloads := make([][]byte, devices*100)
	topics := make([]string, len(payloads))
	for i := range payloads {
		dev := fmt.Sprintf("dev-%02d", i%devices)
		devs[dev] = "site"
		payloads[i], _ = telemetryv1.Marshal(batch(dev, uint64(i/devices+1), t0, 10, []uint64{1, 2, 3, 4}), telemetryv1.EncodingProtobuf)
		topics[i], _ = topic.Device(dev, topic.Telemetry)
	}
	in, err := New(db, devs, Config{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.Submit(topics[i%len(topics)], payloads[i%len(payloads)])
	}
	in.Close()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
}
