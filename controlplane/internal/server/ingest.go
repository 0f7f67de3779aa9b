package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/edgefleet/edgefleet/controlplane/internal/broker"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/ingest"
	devicev1 "github.com/edgefleet/edgefleet/proto/device/v1"
	"github.com/edgefleet/edgefleet/proto/topic"
)

// deviceReports turns presence and status messages into device registry
// reports, and telemetry into a throttled "last seen": the registry write
// is a disk transaction, which must not happen for every telemetry batch.
type deviceReports struct {
	devs *devices.Registry
	log  *slog.Logger

	mu       sync.Mutex
	lastSeen map[string]time.Time
}

// seenEvery bounds how often telemetry refreshes a device's last-seen time.
const seenEvery = 30 * time.Second

// startIngest subscribes the ingester and the device reports. Telemetry
// uses a plain subscription on the control plane's persistent session, so
// the broker queues batches while we reconnect; with sharedGroup set, a
// shared subscription splits the stream across replicas instead — at the
// price that brokers such as Mosquitto do not queue for a group whose
// members are all disconnected.
func startIngest(bus broker.Bus, devs *devices.Registry, in *ingest.Ingester, sharedGroup string, log *slog.Logger) error {
	r := &deviceReports{devs: devs, log: log, lastSeen: map[string]time.Time{}}
	if err := bus.Subscribe(topic.Filter(topic.Presence), r.presence); err != nil {
		return err
	}
	if err := bus.Subscribe(topic.Filter(topic.Status), r.status); err != nil {
		return err
	}
	filter := topic.Filter(topic.Telemetry)
	if sharedGroup != "" {
		filter = topic.SharedFilter(sharedGroup, topic.Telemetry)
	}
	return bus.Subscribe(filter, func(t string, p []byte) {
		in.Submit(t, p)
		r.seen(t)
	})
}

func (r *deviceReports) record(t string, rep devices.Report) {
	id, _, err := topic.Parse(t)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.devs.Record(ctx, id, rep); err != nil {
		r.log.Debug("device report not recorded", "device", id, "err", err)
	}
}

func (r *deviceReports) presence(t string, payload []byte) {
	var p devicev1.Presence
	if err := proto.Unmarshal(payload, &p); err != nil {
		r.log.Warn("undecodable presence", "topic", t, "err", err)
		return
	}
	state := "offline"
	if p.Online {
		state = "online"
	}
	r.record(t, devices.Report{Presence: state, At: time.Now().UTC()})
}

func (r *deviceReports) status(t string, payload []byte) {
	var st devicev1.Status
	if err := proto.Unmarshal(payload, &st); err != nil {
		r.log.Warn("undecodable status", "topic", t, "err", err)
		return
	}
	rep := devices.Report{At: time.Now().UTC(), Installed: []devices.ModelRef{}}
	for _, m := range st.Models {
		if m.ActiveVersion != "" {
			ref := devices.ModelRef{Model: m.Name, Version: m.ActiveVersion}
			rep.Installed = append(rep.Installed, ref)
			if rep.Active == nil {
				rep.Active = &ref
			}
		}
		if m.PreviousVersion != "" {
			rep.Installed = append(rep.Installed, devices.ModelRef{Model: m.Name, Version: m.PreviousVersion})
		}
	}
	r.record(t, rep)
}

func (r *deviceReports) seen(t string) {
	id, _, err := topic.Parse(t)
	if err != nil {
		return
	}
	now := time.Now()
	r.mu.Lock()
	last := r.lastSeen[id]
	fresh := now.Sub(last) < seenEvery
	if !fresh {
		r.lastSeen[id] = now
	}
	r.mu.Unlock()
	if !fresh {
		go r.record(t, devices.Report{At: now.UTC()})
	}
}

// deviceGroups answers the ingester's "is this device known, and in which
// drift group" from the registry, cached briefly so ingestion does not read
// the registry for every batch.
type deviceGroups struct {
	devs  *devices.Registry
	label string

	mu    sync.Mutex
	cache map[string]groupEntry
}

type groupEntry struct {
	group string
	ok    bool
	at    time.Time
}

const groupCacheTTL = 30 * time.Second

func (g *deviceGroups) Group(ctx context.Context, id string) (string, bool) {
	g.mu.Lock()
	e, hit := g.cache[id]
	g.mu.Unlock()
	if hit && time.Since(e.at) < groupCacheTTL {
		return e.group, e.ok
	}
	d, err := g.devs.Get(ctx, id)
	e = groupEntry{at: time.Now()}
	if err == nil && d.RevokedAt == nil {
		e.ok, e.group = true, d.Labels[g.label]
	}
	g.mu.Lock()
	g.cache[id] = e
	g.mu.Unlock()
	return e.group, e.ok
}
