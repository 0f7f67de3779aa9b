package ingest

import (
	"math"
	"sort"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// ModelAgg is the merged telemetry of one model version over a time bucket.
// Histograms use the fixed bounds the agent reports, so buckets from many
// devices and windows merge by addition.
type ModelAgg struct {
	Model           string            `json:"model"`
	Version         string            `json:"version"`
	Requests        uint64            `json:"requests"`
	Errors          map[string]uint64 `json:"errors,omitempty"`
	LatencyBoundsUs []uint64          `json:"latency_bounds_us"`
	LatencyCounts   []uint64          `json:"latency_counts"`
	LatencySumUs    uint64            `json:"latency_sum_us"`
	MemoHits        uint64            `json:"memo_hits"`
	QueueRejections uint64            `json:"queue_rejections"`
	Top1            map[uint32]uint64 `json:"top1,omitempty"`
	// InputHist is the first input tensor's histogram (for drift).
	InputHist []uint64 `json:"input_hist,omitempty"`
}

// merge adds one window of a batch into the aggregate.
func (a *ModelAgg) merge(w *telemetryv1.ModelWindow) {
	win := ModelAgg{
		Requests:        w.Requests,
		LatencyBoundsUs: w.LatencyBoundsUs, LatencyCounts: w.LatencyCounts, LatencySumUs: w.LatencySumUs,
		MemoHits: w.MemoHits, QueueRejections: w.QueueRejections,
	}
	if len(w.Inputs) > 0 {
		win.InputHist = w.Inputs[0].Hist
	}
	a.add(&win)
	for _, e := range w.Errors {
		a.addErrors(e.Kind, e.Count)
	}
	for _, c := range w.Top1 {
		a.addTop1(c.Class, c.Count)
	}
}

// add merges b into a. Latency histograms with other bounds (a different
// agent version) cannot merge bucket by bucket; their requests still count.
// b's slices and maps are copied, never kept.
func (a *ModelAgg) add(b *ModelAgg) {
	a.Requests += b.Requests
	for k, v := range b.Errors {
		a.addErrors(k, v)
	}
	if len(a.LatencyBoundsUs) == 0 {
		a.LatencyBoundsUs = append([]uint64(nil), b.LatencyBoundsUs...)
		a.LatencyCounts = make([]uint64, len(b.LatencyCounts))
	}
	if equalUints(a.LatencyBoundsUs, b.LatencyBoundsUs) && len(a.LatencyCounts) == len(b.LatencyCounts) {
		for i, c := range b.LatencyCounts {
			a.LatencyCounts[i] += c
		}
		a.LatencySumUs += b.LatencySumUs
	}
	a.MemoHits += b.MemoHits
	a.QueueRejections += b.QueueRejections
	for k, v := range b.Top1 {
		a.addTop1(k, v)
	}
	a.InputHist = addHist(a.InputHist, b.InputHist)
}

func (a *ModelAgg) addErrors(kind string, n uint64) {
	if a.Errors == nil {
		a.Errors = map[string]uint64{}
	}
	a.Errors[kind] += n
}

func (a *ModelAgg) addTop1(class uint32, n uint64) {
	if a.Top1 == nil {
		a.Top1 = map[uint32]uint64{}
	}
	a.Top1[class] += n
}

func addHist(dst, src []uint64) []uint64 {
	if len(dst) == 0 {
		return append([]uint64(nil), src...)
	}
	if len(dst) != len(src) {
		return dst
	}
	for i, v := range src {
		dst[i] += v
	}
	return dst
}

func equalUints(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ErrorCount sums the errors of every kind.
func (a *ModelAgg) ErrorCount() uint64 {
	var n uint64
	for _, v := range a.Errors {
		n += v
	}
	return n
}

// LatencyQuantile estimates the q-quantile (0 < q ≤ 1) of latency in
// microseconds by linear interpolation inside the histogram bucket that
// holds it. The overflow bucket reports its lower bound.
func (a *ModelAgg) LatencyQuantile(q float64) float64 {
	var total uint64
	for _, c := range a.LatencyCounts {
		total += c
	}
	if total == 0 || len(a.LatencyBoundsUs) == 0 {
		return 0
	}
	rank := q * float64(total)
	var cum float64
	for i, c := range a.LatencyCounts {
		next := cum + float64(c)
		if next >= rank && c > 0 {
			lo := 0.0
			if i > 0 && i-1 < len(a.LatencyBoundsUs) {
				lo = float64(a.LatencyBoundsUs[i-1])
			} else if i > 0 {
				lo = float64(a.LatencyBoundsUs[len(a.LatencyBoundsUs)-1])
			}
			if i >= len(a.LatencyBoundsUs) { // the overflow bucket (or bad data)
				return lo
			}
			hi := float64(a.LatencyBoundsUs[i])
			return lo + (hi-lo)*(rank-cum)/float64(c)
		}
		cum = next
	}
	return float64(a.LatencyBoundsUs[len(a.LatencyBoundsUs)-1])
}

// PSI returns the population stability index of actual against expected,
// both histograms over the same buckets. Empty buckets are smoothed with a
// small epsilon so the index stays finite.
func PSI(expected, actual []uint64) float64 {
	if len(expected) == 0 || len(expected) != len(actual) {
		return 0
	}
	var te, ta float64
	for i := range expected {
		te += float64(expected[i])
		ta += float64(actual[i])
	}
	if te == 0 || ta == 0 {
		return 0
	}
	const eps = 1e-4
	var psi float64
	for i := range expected {
		e := math.Max(float64(expected[i])/te, eps)
		a := math.Max(float64(actual[i])/ta, eps)
		psi += (a - e) * math.Log(a/e)
	}
	return psi
}

// DeviceBucket is one device's telemetry over a time bucket.
type DeviceBucket struct {
	Start   int64                   `json:"start"` // unix seconds
	Batches uint64                  `json:"batches"`
	Dropped uint64                  `json:"dropped_batches"`
	Models  []*ModelAgg             `json:"models"`
	Health  *Health                 `json:"health,omitempty"` // the latest batch's
	byKey   map[[2]string]*ModelAgg // transient index: (model, version)
}

// Health is a device's health as last reported.
type Health struct {
	CPULoad1          float64  `json:"cpu_load1"`
	MemTotalBytes     uint64   `json:"mem_total_bytes"`
	MemAvailableBytes uint64   `json:"mem_available_bytes"`
	DiskFreeBytes     uint64   `json:"disk_free_bytes"`
	TemperatureC      *float64 `json:"temperature_c,omitempty"`
	UptimeSeconds     uint64   `json:"uptime_seconds"`
}

// setHealth records a batch's health, if it has one, as the bucket's
// latest, reusing the bucket's own Health value.
func (d *DeviceBucket) setHealth(h *telemetryv1.Health) {
	if h == nil {
		return
	}
	if d.Health == nil {
		d.Health = new(Health)
	}
	temp := d.Health.TemperatureC
	*d.Health = Health{CPULoad1: h.CpuLoad1, MemTotalBytes: h.MemTotalBytes, MemAvailableBytes: h.MemAvailableBytes,
		DiskFreeBytes: h.DiskFreeBytes, UptimeSeconds: h.UptimeSeconds}
	if h.TemperatureC != nil { // copied: the batch goes back to its pool
		if temp == nil {
			temp = new(float64)
		}
		*temp = *h.TemperatureC
		d.Health.TemperatureC = temp
	}
}

func (d *DeviceBucket) model(name, version string) *ModelAgg {
	if d.byKey == nil {
		d.byKey = map[[2]string]*ModelAgg{}
		for _, m := range d.Models {
			d.byKey[[2]string{m.Model, m.Version}] = m
		}
	}
	k := [2]string{name, version}
	m := d.byKey[k]
	if m == nil {
		m = &ModelAgg{Model: name, Version: version}
		d.byKey[k] = m
		d.Models = append(d.Models, m)
		sort.Slice(d.Models, func(i, j int) bool {
			if d.Models[i].Model != d.Models[j].Model {
				return d.Models[i].Model < d.Models[j].Model
			}
			return d.Models[i].Version < d.Models[j].Version
		})
	}
	return m
}
