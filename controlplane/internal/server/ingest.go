package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/broker"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/proto/topic"
)

// ingest records when each device was last heard from. Decoding status
// and telemetry payloads belongs to the telemetry work; until then any
// message from a device counts as a sign of life.
func ingest(bus broker.Bus, devs *devices.Registry, log *slog.Logger) error {
	for _, k := range []topic.Kind{topic.Status, topic.Presence, topic.Telemetry} {
		err := bus.Subscribe(topic.Filter(k), func(t string, _ []byte) {
			id, _, err := topic.Parse(t)
			if err != nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := devs.Record(ctx, id, devices.Report{At: time.Now().UTC()}); err != nil {
				log.Debug("device report not recorded", "device", id, "err", err)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
