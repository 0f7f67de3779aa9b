package ingest

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fleetTotals are per model version running totals for Prometheus; they
// restart at zero with the process, as counters may.
type fleetTotals struct {
	mu     sync.Mutex
	models map[[2]string]*[2]uint64 // (model, version) → requests, errors
}

var (
	descBatches    = prometheus.NewDesc("edgefleet_telemetry_batches_total", "Telemetry batches ingested (duplicates excluded).", nil, nil)
	descDuplicates = prometheus.NewDesc("edgefleet_telemetry_duplicates_total", "Telemetry batches received again and discarded.", nil, nil)
	descMissing    = prometheus.NewDesc("edgefleet_telemetry_missing_total", "Sequence numbers skipped by devices' streams (gaps seen).", nil, nil)
	descDropped    = prometheus.NewDesc("edgefleet_telemetry_device_dropped_total", "Batches devices report dropping from full spools.", nil, nil)
	descMalformed  = prometheus.NewDesc("edgefleet_telemetry_malformed_total", "Telemetry messages rejected, by reason.", []string{"reason"}, nil)
	descRequests   = prometheus.NewDesc("edgefleet_model_requests_total", "Inference requests devices served, fleet-wide.", []string{"model", "version"}, nil)
	descErrors     = prometheus.NewDesc("edgefleet_model_errors_total", "Inference errors devices reported, fleet-wide.", []string{"model", "version"}, nil)
	descDrift      = prometheus.NewDesc("edgefleet_model_drift_psi", "Input population stability index of the last hour, by device group.", []string{"model", "version", "group"}, nil)
)

// Describe implements prometheus.Collector.
func (in *Ingester) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descBatches, descDuplicates, descMissing, descDropped, descMalformed, descRequests, descErrors, descDrift} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: fleet aggregates only, no
// per-device labels.
func (in *Ingester) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBatches, prometheus.CounterValue, float64(in.stats.batches.Load()))
	ch <- prometheus.MustNewConstMetric(descDuplicates, prometheus.CounterValue, float64(in.stats.duplicates.Load()))
	ch <- prometheus.MustNewConstMetric(descMissing, prometheus.CounterValue, float64(in.stats.missing.Load()))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(in.stats.dropped.Load()))
	in.stats.malformed.Range(func(k, v any) bool {
		ch <- prometheus.MustNewConstMetric(descMalformed, prometheus.CounterValue, float64(v.(*atomic.Uint64).Load()), k.(string))
		return true
	})
	in.totals.mu.Lock()
	keys := make([][2]string, 0, len(in.totals.models))
	for k, v := range in.totals.models {
		keys = append(keys, k)
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(v[0]), k[0], k[1])
		ch <- prometheus.MustNewConstMetric(descErrors, prometheus.CounterValue, float64(v[1]), k[0], k[1])
	}
	in.totals.mu.Unlock()
	now := in.now()
	for _, k := range keys {
		m, err := in.Model(k[0], k[1], now.Add(-time.Hour), now)
		if err != nil || len(m.Drift) == 0 {
			continue
		}
		last := map[string]DriftPoint{}
		for _, p := range m.Drift {
			last[p.Group] = p
		}
		for g, p := range last {
			ch <- prometheus.MustNewConstMetric(descDrift, prometheus.GaugeValue, p.PSI, k[0], k[1], g)
		}
	}
}

// Malformed returns how many messages were rejected for reason.
func (in *Ingester) Malformed(reason string) uint64 {
	if v, ok := in.stats.malformed.Load(reason); ok {
		return v.(*atomic.Uint64).Load()
	}
	return 0
}

func (t *fleetTotals) add(model, version string, requests, errors uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.models == nil {
		t.models = map[[2]string]*[2]uint64{}
	}
	k := [2]string{model, version}
	v := t.models[k]
	if v == nil {
		v = new([2]uint64)
		t.models[k] = v
	}
	v[0] += requests
	v[1] += errors
}
