package uplink

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/proto"

	"github.com/edgefleet/edgefleet/agent/internal/spool"
	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/agent/internal/telemetry"
	devicev1 "github.com/edgefleet/edgefleet/proto/device/v1"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
	"github.com/edgefleet/edgefleet/proto/topic"
	"github.com/edgefleet/edgefleet/tools/testenv"
)

// collector stands in for the control plane's ingester: a persistent QoS 1
// subscriber that records every batch it receives, in arrival order.
type collector struct {
	mu       sync.Mutex
	seqs     []uint64
	dropped  uint64
	presence []*devicev1.Presence
}

func newCollector(t *testing.T, url string) *collector {
	t.Helper()
	c := &collector{}
	opts := mqtt.NewClientOptions().AddBroker(url).SetClientID("collector").
		SetCleanSession(false).SetAutoReconnect(true).SetMaxReconnectInterval(100 * time.Millisecond).
		SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond)
	opts.SetOnConnectHandler(func(cl mqtt.Client) {
		cl.Subscribe(topic.Filter(topic.Telemetry), 1, func(_ mqtt.Client, m mqtt.Message) {
			b, err := telemetryv1.Unmarshal(m.Payload())
			if err != nil {
				t.Errorf("undecodable batch on %s: %v", m.Topic(), err)
				return
			}
			c.mu.Lock()
			c.seqs = append(c.seqs, b.Seq)
			c.dropped += b.DroppedBatches
			c.mu.Unlock()
		})
		cl.Subscribe(topic.Filter(topic.Presence), 1, func(_ mqtt.Client, m mqtt.Message) {
			p := new(devicev1.Presence)
			if err := proto.Unmarshal(m.Payload(), p); err == nil {
				c.mu.Lock()
				c.presence = append(c.presence, p)
				c.mu.Unlock()
			}
		})
	})
	cl := mqtt.NewClient(opts)
	if tok := cl.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("collector connect: %v", tok.Error())
	}
	t.Cleanup(func() { cl.Disconnect(100) })
	return c
}

// unique returns the distinct sequence numbers in first-arrival order.
func (c *collector) unique() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[uint64]bool{}
	var out []uint64
	for _, s := range c.seqs {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

type agentParts struct {
	store *store.Store
	spool *spool.Spool
	rec   *telemetry.Recorder
}

func newAgentParts(t *testing.T, maxSpool int64) agentParts {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sp, err := spool.New(st.DB(), maxSpool)
	if err != nil {
		t.Fatal(err)
	}
	return agentParts{store: st, spool: sp, rec: telemetry.NewRecorder()}
}

func startUplink(t *testing.T, p agentParts, url string, interval time.Duration) (*Uplink, func()) {
	t.Helper()
	u, err := New(Config{Brokers: []string{url}, DeviceID: "dev-1", Interval: interval, PublishRate: 1000, MaxBackoff: 300 * time.Millisecond},
		p.store, p.spool, p.rec, telemetry.HealthSource{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = u.Run(ctx); close(done) }()
	return u, func() { cancel(); <-done }
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func assertContiguous(t *testing.T, got []uint64, last uint64) {
	t.Helper()
	if uint64(len(got)) != last {
		t.Fatalf("received %d distinct batches, want %d: %v", len(got), last, got)
	}
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("batch #%d has seq %d: out of order or missing (%v)", i, s, got)
		}
	}
}

func TestBrokerOutageLosesNothing(t *testing.T) {
	m := testenv.StartMosquittoProcess(t, testenv.MosquittoConfig{Persistent: true})
	col := newCollector(t, m.URL)
	p := newAgentParts(t, 0)
	_, stop := startUplink(t, p, m.URL, 40*time.Millisecond)

	waitFor(t, "first batches", 10*time.Second, func() bool { return len(col.unique()) >= 5 })
	m.StopGraceful()
	outage := 2 * time.Second
	time.Sleep(outage) // ~50 windows spool up while the broker is away
	st, _ := p.spool.Stats()
	if st.Entries < 10 {
		t.Fatalf("only %d batches spooled during a %s outage", st.Entries, outage)
	}
	m.Start()
	waitFor(t, "spool drained", 20*time.Second, func() bool { s, _ := p.spool.Stats(); return s.Entries == 0 })
	stop()
	st, _ = p.spool.Stats()
	last := st.NextSeq - 1
	// The final window spooled at shutdown may still be waiting for the
	// next connection; everything before it must have arrived.
	last -= uint64(st.Entries)
	waitFor(t, "all batches at the collector", 10*time.Second, func() bool { return uint64(len(col.unique())) >= last })
	assertContiguous(t, col.unique()[:last], last)
}

func TestSpoolFullReportsDrops(t *testing.T) {
	m := testenv.StartMosquittoProcess(t, testenv.MosquittoConfig{})
	m.Stop() // the device starts offline
	p := newAgentParts(t, 2000)
	u, err := New(Config{Brokers: []string{m.URL}, DeviceID: "dev-1", Interval: time.Hour, PublishRate: 1000, MaxBackoff: 200 * time.Millisecond},
		p.store, p.spool, p.rec, telemetry.HealthSource{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 100 { // each batch is ~100 bytes, so the 2000-byte spool overflows
		if _, err := u.FlushWindow(); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := p.spool.Stats()
	if st.DroppedTotal == 0 || st.Bytes > 2000 {
		t.Fatalf("spool not bounded: %+v", st)
	}
	m.Start()
	col := newCollector(t, m.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = u.Run(ctx); close(done) }()
	waitFor(t, "spool drained", 10*time.Second, func() bool { s, _ := p.spool.Stats(); return s.Entries == 0 })
	if _, err := u.FlushWindow(); err != nil { // carries the last pending drop count
		t.Fatal(err)
	}
	waitFor(t, "drained again", 10*time.Second, func() bool { s, _ := p.spool.Stats(); return s.Entries == 0 })
	cancel()
	<-done
	st, _ = p.spool.Stats()
	waitFor(t, "drop count delivered", 5*time.Second, func() bool {
		col.mu.Lock()
		defer col.mu.Unlock()
		return col.dropped == st.DroppedTotal
	})
	got := uint64(len(col.unique()))
	if got+st.DroppedTotal+uint64(st.Entries) != st.NextSeq-1 {
		t.Fatalf("received %d + dropped %d + still spooled %d != produced %d", got, st.DroppedTotal, st.Entries, st.NextSeq-1)
	}
}

func TestPresenceAndWill(t *testing.T) {
	b := testenv.Mosquitto(t)
	col := newCollector(t, b.URL)
	p := newAgentParts(t, 0)
	_, stop := startUplink(t, p, b.URL, time.Hour)
	waitFor(t, "online presence", 5*time.Second, func() bool {
		col.mu.Lock()
		defer col.mu.Unlock()
		return len(col.presence) > 0 && col.presence[len(col.presence)-1].Online
	})
	stop()
	waitFor(t, "offline presence after stop", 5*time.Second, func() bool {
		col.mu.Lock()
		defer col.mu.Unlock()
		last := col.presence[len(col.presence)-1]
		return !last.Online && last.Session == 1
	})
}

func TestNewValidates(t *testing.T) {
	p := newAgentParts(t, 0)
	for _, cfg := range []Config{
		{DeviceID: "d"},
		{Brokers: []string{"tcp://x"}, DeviceID: "bad/id"},
		{Brokers: []string{"tcp://x"}, DeviceID: "d", Encoding: "xml"},
	} {
		if _, err := New(cfg, p.store, p.spool, p.rec, telemetry.HealthSource{}, nil, nil); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
