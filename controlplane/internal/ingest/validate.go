package ingest

import (
	"fmt"
	"math"
	"time"

	"github.com/edgefleet/edgefleet/proto/manifest"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// Bounds a batch must respect; a device cannot make the ingester store
// unbounded keys or values.
const (
	maxModelsPerBatch  = 64
	maxTensorsPerModel = 32
	maxHistBuckets     = 256
	maxLatencyBounds   = 64
	// maxSeqJump refuses a sequence number this far ahead of the last one:
	// a corrupt or hostile counter must not hide a device's stream.
	maxSeqJump = 1 << 20
	// maxClockSkew bounds how far a window's end may be from the receive
	// time before the receive time is used instead.
	maxClockSkew = 24 * time.Hour
)

// validate checks what the ingester stores from a batch. It fixes nothing
// but the window time (clamped to the receive time when implausible).
func validate(b *telemetryv1.Batch, now time.Time) error {
	if b.WindowEnd == nil || !b.WindowEnd.IsValid() || absDur(b.WindowEnd.AsTime().Sub(now)) > maxClockSkew {
		b.WindowEnd = nil // apply uses the receive time
	}
	if h := b.Health; h != nil {
		if !finite(h.CpuLoad1) || (h.TemperatureC != nil && !finite(*h.TemperatureC)) {
			return fmt.Errorf("health: non-finite value")
		}
	}
	if len(b.Models) > maxModelsPerBatch {
		return fmt.Errorf("%d model windows, limit %d", len(b.Models), maxModelsPerBatch)
	}
	for i, w := range b.Models {
		// The field label is built only on failure: this runs per batch.
		if err := manifest.ValidName("model", w.Model); err != nil {
			return fmt.Errorf("models[%d]: %w", i, err)
		}
		if err := manifest.ValidName("version", w.Version); err != nil {
			return fmt.Errorf("models[%d]: %w", i, err)
		}
		if len(w.LatencyBoundsUs) > maxLatencyBounds {
			return fmt.Errorf("models[%d]: %d latency bounds, limit %d", i, len(w.LatencyBoundsUs), maxLatencyBounds)
		}
		if len(w.LatencyCounts) != 0 && len(w.LatencyCounts) != len(w.LatencyBoundsUs)+1 {
			return fmt.Errorf("models[%d]: %d latency counts for %d bounds, want bounds+1", i, len(w.LatencyCounts), len(w.LatencyBoundsUs))
		}
		for j := 1; j < len(w.LatencyBoundsUs); j++ {
			if w.LatencyBoundsUs[j] <= w.LatencyBoundsUs[j-1] {
				return fmt.Errorf("models[%d]: latency bounds not increasing at %d", i, j)
			}
		}
		if len(w.Inputs) > maxTensorsPerModel || len(w.Outputs) > maxTensorsPerModel {
			return fmt.Errorf("models[%d]: more than %d tensor summaries", i, maxTensorsPerModel)
		}
		for _, list := range [2][]*telemetryv1.TensorSummary{w.Inputs, w.Outputs} {
			for _, ts := range list {
				if len(ts.Hist) > maxHistBuckets {
					return fmt.Errorf("models[%d]: tensor %q histogram has %d buckets, limit %d", i, ts.Name, len(ts.Hist), maxHistBuckets)
				}
				if !finite(ts.Mean) || !finite(ts.Min) || !finite(ts.Max) || !finite(ts.HistLo) || !finite(ts.HistHi) {
					return fmt.Errorf("models[%d]: tensor %q summary has a non-finite value", i, ts.Name)
				}
			}
		}
		if len(w.Top1) > 1<<16 {
			return fmt.Errorf("models[%d]: %d top-1 classes, limit 65536", i, len(w.Top1))
		}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
