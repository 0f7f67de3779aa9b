package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/tflite"
)

// percentile returns the p-th percentile (0..1) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// invokeLatencies times the bare interpreter (copy input, Invoke) n times.
func invokeLatencies(b *testing.B, blob []byte, n int) []time.Duration {
	m, err := tflite.Load(blob)
	if err != nil {
		b.Fatal(err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	in := rawBytes()
	lat := make([]time.Duration, n)
	for i := range lat {
		start := time.Now()
		if err := it.Input(0).CopyFrom(in); err != nil {
			b.Fatal(err)
		}
		if err := it.Invoke(context.Background()); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(start)
	}
	slices.Sort(lat)
	return lat
}

// BenchmarkInferHandler is the in-process cost of the v2 infer handler
// (decode, validate, quantize, run, encode) without the network.
func BenchmarkInferHandler(b *testing.B) {
	f := newFixture(b, fixtureOpts{catalog: catalog{"tiny"}})
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	h := f.srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v2/models/tiny/infer", strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// rewindBody is a request body that can be replayed without allocating.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// discardWriter is a ResponseWriter that keeps only the status, so the
// benchmark below measures the server's allocations, not a recorder's.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkInferHandlerReused is BenchmarkInferHandler with the request
// and response writer reused, so allocs/op counts only what the router,
// the handler and the runtime allocate per request; with the memo cache
// off (every request runs the interpreter) and on (every request after
// the first is a hit, the agent's default configuration).
func BenchmarkInferHandlerReused(b *testing.B) {
	for _, memo := range []bool{false, true} {
		b.Run(fmt.Sprintf("memo=%v", memo), func(b *testing.B) { benchHandlerReused(b, memo) })
	}
}

func benchHandlerReused(b *testing.B, memo bool) {
	f := newFixture(b, fixtureOpts{catalog: catalog{"tiny"}, memo: memo})
	body := []byte(fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput)))
	h := f.srv.Handler()
	req := httptest.NewRequest("POST", "/v2/models/tiny/infer", bytes.NewReader(body))
	rb := &rewindBody{}
	w := &discardWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		rb.Reset(body)
		req.Body = rb
		clear(w.h)
		h.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
}
