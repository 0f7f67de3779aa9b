// Package telemetry aggregates what the agent's models do into per-window
// batches (proto/telemetry/v1): request counts, errors by kind, latency
// histograms, memoization hits, queue rejections, summaries of input and
// output tensors and the device's health.
//
// The runtime reports every request to a Recorder; the uplink flushes the
// Recorder once per window into the spool. Recording is cheap (a mutex and
// a few additions) because it sits on the inference path.
package telemetry

import (
	"math"
	"sort"
	"sync"
	"time"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// LatencyBoundsMicros are the fixed, log-spaced upper bounds of the latency
// histogram (1-2-5 steps from 50 µs to 10 s). Fixed bounds let the control
// plane merge histograms across devices and windows.
var LatencyBoundsMicros = []uint64{
	50, 100, 200, 500,
	1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
	1_000_000, 2_000_000, 5_000_000, 10_000_000,
}

// HistBuckets is the number of buckets of every tensor histogram.
const HistBuckets = 16

// Element kinds of a tensor sample, which fix the histogram range: the
// whole quantized range for integer tensors, [FloatLo, FloatHi) for floats.
const (
	KindInt8 = iota
	KindUint8
	KindFloat32
)

// Float histogram range; values outside land in the edge buckets.
const (
	FloatLo = -8.0
	FloatHi = 8.0
)

// Tensor is a view of one input or output tensor of a request.
type Tensor struct {
	Name    string
	Kind    int
	Int8    []int8
	Uint8   []uint8
	Float32 []float32
}

// Event is one request as the runtime saw it.
type Event struct {
	Model, Version, SHA256 string
	Latency                time.Duration
	// ErrKind is empty on success, otherwise a short stable word such as
	// "bad_request", "invoke" or "timeout".
	ErrKind       string
	MemoHit       bool
	QueueRejected bool
	Inputs        []Tensor
	Outputs       []Tensor
}

// Recorder accumulates events for the current window. It is safe for
// concurrent use.
type Recorder struct {
	mu     sync.Mutex
	models map[modelKey]*modelAgg
}

type modelKey struct{ model, version string }

type modelAgg struct {
	sha256          string
	requests        uint64
	errors          map[string]uint64
	latencyCounts   []uint64
	latencySumMicro uint64
	memoHits        uint64
	rejections      uint64
	inputs, outputs []*tensorAgg
	top1            map[uint32]uint64
}

type tensorAgg struct {
	name          string
	kind          int
	count         uint64
	sum, min, max float64
	hist          [HistBuckets]uint64
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{models: make(map[modelKey]*modelAgg)}
}

// Observe adds one request to the current window.
func (r *Recorder) Observe(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := modelKey{ev.Model, ev.Version}
	m := r.models[k]
	if m == nil {
		m = &modelAgg{
			sha256:        ev.SHA256,
			errors:        make(map[string]uint64),
			latencyCounts: make([]uint64, len(LatencyBoundsMicros)+1),
			top1:          make(map[uint32]uint64),
		}
		r.models[k] = m
	}
	if ev.QueueRejected {
		m.rejections++
		return
	}
	m.requests++
	if ev.ErrKind != "" {
		m.errors[ev.ErrKind]++
	}
	if ev.MemoHit {
		m.memoHits++
	}
	us := uint64(max(ev.Latency.Microseconds(), 0))
	m.latencySumMicro += us
	m.latencyCounts[sort.Search(len(LatencyBoundsMicros), func(i int) bool { return us <= LatencyBoundsMicros[i] })]++
	if ev.ErrKind != "" {
		return
	}
	m.inputs = summarize(m.inputs, ev.Inputs)
	m.outputs = summarize(m.outputs, ev.Outputs)
	if len(ev.Outputs) == 1 {
		if c, ok := argmax(ev.Outputs[0]); ok {
			m.top1[c]++
		}
	}
}

// Flush returns the window's per-model aggregates, sorted by model and
// version, and starts a new window.
func (r *Recorder) Flush() []*telemetryv1.ModelWindow {
	r.mu.Lock()
	models := r.models
	r.models = make(map[modelKey]*modelAgg)
	r.mu.Unlock()

	keys := make([]modelKey, 0, len(models))
	for k := range models {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].model != keys[j].model {
			return keys[i].model < keys[j].model
		}
		return keys[i].version < keys[j].version
	})
	out := make([]*telemetryv1.ModelWindow, 0, len(keys))
	for _, k := range keys {
		m := models[k]
		w := &telemetryv1.ModelWindow{
			Model: k.model, Version: k.version, Sha256: m.sha256,
			Requests:        m.requests,
			LatencyBoundsUs: LatencyBoundsMicros,
			LatencyCounts:   m.latencyCounts,
			LatencySumUs:    m.latencySumMicro,
			MemoHits:        m.memoHits,
			QueueRejections: m.rejections,
			Inputs:          toProto(m.inputs),
			Outputs:         toProto(m.outputs),
		}
		w.Errors = errorCounts(m.errors)
		w.Top1 = classCounts(m.top1)
		out = append(out, w)
	}
	return out
}

// errorCounts lists errors by kind, sorted, so a window always encodes the
// same way.
func errorCounts(errors map[string]uint64) []*telemetryv1.ErrorCount {
	if len(errors) == 0 {
		return nil
	}
	out := make([]*telemetryv1.ErrorCount, 0, len(errors))
	for kind, n := range errors {
		out = append(out, &telemetryv1.ErrorCount{Kind: kind, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// classCounts lists top-1 counts by class, sorted.
func classCounts(top1 map[uint32]uint64) []*telemetryv1.ClassCount {
	if len(top1) == 0 {
		return nil
	}
	out := make([]*telemetryv1.ClassCount, 0, len(top1))
	for class, n := range top1 {
		out = append(out, &telemetryv1.ClassCount{Class: class, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Class < out[j].Class })
	return out
}

func summarize(aggs []*tensorAgg, ts []Tensor) []*tensorAgg {
	for i, t := range ts {
		if i >= len(aggs) {
			aggs = append(aggs, &tensorAgg{name: t.Name, kind: t.Kind, min: math.Inf(1), max: math.Inf(-1)})
		}
		a := aggs[i]
		if a.kind != t.Kind {
			continue
		}
		lo, hi := histRange(t.Kind)
		width := (hi - lo) / HistBuckets
		add := func(v float64) {
			a.count++
			a.sum += v
			a.min = math.Min(a.min, v)
			a.max = math.Max(a.max, v)
			b := int((v - lo) / width)
			a.hist[min(max(b, 0), HistBuckets-1)]++
		}
		switch t.Kind {
		case KindInt8:
			for _, v := range t.Int8 {
				add(float64(v))
			}
		case KindUint8:
			for _, v := range t.Uint8 {
				add(float64(v))
			}
		case KindFloat32:
			for _, v := range t.Float32 {
				if !math.IsNaN(float64(v)) {
					add(float64(v))
				}
			}
		}
	}
	return aggs
}

func histRange(kind int) (lo, hi float64) {
	switch kind {
	case KindInt8:
		return -128, 128
	case KindUint8:
		return 0, 256
	}
	return FloatLo, FloatHi
}

// argmax returns the index of the largest element of a classifier-shaped
// output (at least two elements), first index on ties.
func argmax(t Tensor) (uint32, bool) {
	best, idx, n := math.Inf(-1), -1, 0
	consider := func(i int, v float64) {
		if v > best {
			best, idx = v, i
		}
	}
	switch t.Kind {
	case KindInt8:
		n = len(t.Int8)
		for i, v := range t.Int8 {
			consider(i, float64(v))
		}
	case KindUint8:
		n = len(t.Uint8)
		for i, v := range t.Uint8 {
			consider(i, float64(v))
		}
	case KindFloat32:
		n = len(t.Float32)
		for i, v := range t.Float32 {
			consider(i, float64(v))
		}
	}
	if n < 2 || idx < 0 {
		return 0, false
	}
	return uint32(idx), true
}

func toProto(aggs []*tensorAgg) []*telemetryv1.TensorSummary {
	out := make([]*telemetryv1.TensorSummary, 0, len(aggs))
	for _, a := range aggs {
		lo, hi := histRange(a.kind)
		s := &telemetryv1.TensorSummary{Name: a.name, Count: a.count, HistLo: lo, HistHi: hi, Hist: append([]uint64(nil), a.hist[:]...)}
		if a.count > 0 {
			s.Mean, s.Min, s.Max = a.sum/float64(a.count), a.min, a.max
		}
		out = append(out, s)
	}
	return out
}
