package api

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
)

// Metrics is the agent's Prometheus registry (one per server, no globals)
// and the runtime Observer that feeds it.
type Metrics struct {
	reg        *prometheus.Registry
	inferences *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	http       *prometheus.CounterVec

	// httpSeries (httpKey → prometheus.Counter) and versionSeries
	// (versionKey → *versionSeries) cache resolved children of the vectors
	// above for the per-request paths.
	httpSeries    sync.Map
	versionSeries sync.Map
}

// NewMetrics creates the registry with the Go and process collectors.
// Give it to runtime.Options.Observer and to Options.Metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		inferences: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefleet_agent_inferences_total",
			Help: "Inferences by model, version and result (ok, cached, or the error kind).",
		}, []string{"model", "version", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "edgefleet_agent_inference_duration_seconds",
			Help: "Time inside the runtime per inference (queueing plus interpreter), by model and version.",
			// 25µs to ~13s: tiny models answer in tens of microseconds.
			Buckets: prometheus.ExponentialBuckets(25e-6, 2.5, 15),
		}, []string{"model", "version"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefleet_agent_errors_total",
			Help: "Failed API requests by model (empty when unknown) and kind.",
		}, []string{"model", "kind"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "edgefleet_agent_http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
	}
	m.reg.MustRegister(m.inferences, m.latency, m.errors, m.http,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for other components' collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// versionKey names one model version's series.
type versionKey struct{ model, version string }

// versionSeries are one model version's success series, resolved once.
type versionSeries struct {
	ok, cached prometheus.Counter
	latency    prometheus.Observer
}

func (m *Metrics) seriesOf(model, version string) *versionSeries {
	k := versionKey{model, version}
	if s, ok := m.versionSeries.Load(k); ok {
		return s.(*versionSeries)
	}
	s := &versionSeries{
		ok:      m.inferences.WithLabelValues(model, version, "ok"),
		cached:  m.inferences.WithLabelValues(model, version, "cached"),
		latency: m.latency.WithLabelValues(model, version),
	}
	actual, _ := m.versionSeries.LoadOrStore(k, s)
	return actual.(*versionSeries)
}

// Observe implements runtime.Observer. Successes use the version's
// resolved series; failures are rare and look their labels up.
func (m *Metrics) Observe(e runtime.Event) {
	if e.Err != nil {
		m.inferences.WithLabelValues(e.Model, e.Version, runtime.ErrorKind(e.Err)).Inc()
		return
	}
	s := m.seriesOf(e.Model, e.Version)
	if e.Cached {
		s.cached.Inc()
	} else {
		s.ok.Inc()
	}
	s.latency.Observe(e.Latency.Seconds())
}

func (m *Metrics) countError(model, kind string) {
	m.errors.WithLabelValues(model, kind).Inc()
}

// attach registers the collectors that read the runtime's live state:
// queue depth and running requests per model, and the memo cache.
func (m *Metrics) attach(rt *runtime.Runtime) error {
	if err := m.reg.Register(newRuntimeCollector(rt)); err != nil {
		return fmt.Errorf("api: metrics already attached to a runtime (one Metrics per server): %w", err)
	}
	return nil
}

// countRequest counts a finished request by route pattern (not raw path,
// so the label set stays bounded).
func (s *Server) countRequest(c echo.Context) {
	route := c.Path()
	if route == "" {
		route = "unmatched"
	}
	s.opts.Metrics.httpCounter(route, c.Request().Method, c.Response().Status).Inc()
}

// httpKey names one edgefleet_agent_http_requests_total series.
type httpKey struct {
	route, method string
	code          int
}

// httpCounter returns the request counter of a route, method and status,
// resolving its labels once: label lookups hash every value, and this
// runs on every request. Only standard methods are remembered, since
// clients choose the method string.
func (m *Metrics) httpCounter(route, method string, code int) prometheus.Counter {
	k := httpKey{route, method, code}
	if c, ok := m.httpSeries.Load(k); ok {
		return c.(prometheus.Counter)
	}
	c := m.http.WithLabelValues(route, method, strconv.Itoa(code))
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		m.httpSeries.Store(k, c)
	}
	return c
}

// runtimeCollector reads the runtime's live state at scrape time.
type runtimeCollector struct {
	rt                                  *runtime.Runtime
	queueDepth, running, interpreters   *prometheus.Desc
	memoHits, memoMisses, memoEvictions *prometheus.Desc
	memoEntries, memoBytes              *prometheus.Desc
}

func newRuntimeCollector(rt *runtime.Runtime) *runtimeCollector {
	perVersion := []string{"model", "version"}
	return &runtimeCollector{
		rt:            rt,
		queueDepth:    prometheus.NewDesc("edgefleet_agent_queue_depth", "Requests waiting for a free interpreter, by model and version.", perVersion, nil),
		running:       prometheus.NewDesc("edgefleet_agent_inferences_running", "Requests holding an interpreter, by model and version.", perVersion, nil),
		interpreters:  prometheus.NewDesc("edgefleet_agent_interpreters", "Interpreters allocated, by model and version.", perVersion, nil),
		memoHits:      prometheus.NewDesc("edgefleet_agent_memo_hits_total", "Memoization cache hits.", nil, nil),
		memoMisses:    prometheus.NewDesc("edgefleet_agent_memo_misses_total", "Memoization cache misses.", nil, nil),
		memoEvictions: prometheus.NewDesc("edgefleet_agent_memo_evictions_total", "Memoization cache evictions.", nil, nil),
		memoEntries:   prometheus.NewDesc("edgefleet_agent_memo_entries", "Memoization cache entries.", nil, nil),
		memoBytes:     prometheus.NewDesc("edgefleet_agent_memo_bytes", "Memoization cache size in bytes.", nil, nil),
	}
}

func (c *runtimeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.queueDepth, c.running, c.interpreters, c.memoHits, c.memoMisses, c.memoEvictions, c.memoEntries, c.memoBytes} {
		ch <- d
	}
}

func (c *runtimeCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.rt.Stats() {
		ch <- prometheus.MustNewConstMetric(c.queueDepth, prometheus.GaugeValue, float64(s.Waiting), s.Model, s.Version)
		ch <- prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, float64(s.Running), s.Model, s.Version)
		ch <- prometheus.MustNewConstMetric(c.interpreters, prometheus.GaugeValue, float64(s.Interpreters), s.Model, s.Version)
	}
	ms := c.rt.Memo().Stats()
	ch <- prometheus.MustNewConstMetric(c.memoHits, prometheus.CounterValue, float64(ms.Hits))
	ch <- prometheus.MustNewConstMetric(c.memoMisses, prometheus.CounterValue, float64(ms.Misses))
	ch <- prometheus.MustNewConstMetric(c.memoEvictions, prometheus.CounterValue, float64(ms.Evictions))
	ch <- prometheus.MustNewConstMetric(c.memoEntries, prometheus.GaugeValue, float64(ms.Entries))
	ch <- prometheus.MustNewConstMetric(c.memoBytes, prometheus.GaugeValue, float64(ms.Bytes))
}
