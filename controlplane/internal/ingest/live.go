package ingest

import (
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// Watch returns a channel receiving every newly ingested batch (not
// duplicates) and a function that stops the watch. A slow watcher misses
// batches rather than slowing ingestion.
func (in *Ingester) Watch() (<-chan *telemetryv1.Batch, func()) {
	ch := make(chan *telemetryv1.Batch, 64)
	in.liveMu.Lock()
	in.live[ch] = struct{}{}
	in.liveMu.Unlock()
	return ch, func() {
		in.liveMu.Lock()
		delete(in.live, ch)
		in.liveMu.Unlock()
	}
}

// broadcast offers b to every watcher and reports whether any took it.
func (in *Ingester) broadcast(b *telemetryv1.Batch) (taken bool) {
	in.liveMu.Lock()
	defer in.liveMu.Unlock()
	for ch := range in.live {
		select {
		case ch <- b:
			taken = true
		default:
		}
	}
	return taken
}
