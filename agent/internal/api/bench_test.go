package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
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

// BenchmarkInferOverhead measures POST /v2/models/tiny/infer over loopback
// HTTP against the bare Invoke of the same tiny model, at 1 and 32
// concurrent clients, and reports median and p99 of both and of their
// difference (the API's overhead). The memo cache is off so every request
// runs the interpreter.
func BenchmarkInferOverhead(b *testing.B) {
	for _, transport := range []string{"tcp", "unix"} {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d", transport, clients), func(b *testing.B) {
				benchOverhead(b, transport, clients)
			})
		}
	}
}

func benchOverhead(b *testing.B, transport string, clients int) {
	f := newFixture(b, fixtureOpts{pool: goruntime.GOMAXPROCS(0), queue: 64, catalog: catalog{"tiny"}})
	bare := invokeLatencies(b, f.blob, 20000)
	ts := httptest.NewUnstartedServer(f.srv.Handler())
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	if transport == "unix" {
		sock := filepath.Join(b.TempDir(), "api.sock")
		l, err := net.Listen("unix", sock)
		if err != nil {
			b.Fatal(err)
		}
		ts.Listener = l
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}
	}
	ts.Start()
	defer ts.Close()
	client := &http.Client{Transport: tr}
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	url := "http://agent/v2/models/tiny/infer"
	if transport == "tcp" {
		url = ts.URL + "/v2/models/tiny/infer"
	}

	// The floor: the same transport answering the cheapest route, so the
	// report separates the HTTP stack's cost from the infer handler's.
	floor := make([]time.Duration, 0, 2000)
	for range cap(floor) {
		start := time.Now()
		resp, err := client.Get(strings.TrimSuffix(url, "/models/tiny/infer") + "/health/live")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		floor = append(floor, time.Since(start))
	}
	slices.Sort(floor)
	var (
		mu  sync.Mutex
		lat []time.Duration
		wg  sync.WaitGroup
	)
	per := max(1, b.N/clients)
	b.ResetTimer()
	for range clients {
		wg.Go(func() {
			mine := make([]time.Duration, 0, per)
			for range per {
				start := time.Now()
				resp, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	med, p99 := percentile(lat, 0.5), percentile(lat, 0.99)
	bmed, bp99 := percentile(bare, 0.5), percentile(bare, 0.99)
	b.ReportMetric(micros(med), "http-median-µs")
	b.ReportMetric(micros(p99), "http-p99-µs")
	b.ReportMetric(micros(bmed), "invoke-median-µs")
	b.ReportMetric(micros(bp99), "invoke-p99-µs")
	b.ReportMetric(micros(med-bmed), "overhead-median-µs")
	b.ReportMetric(micros(p99-bp99), "overhead-p99-µs")
	b.ReportMetric(micros(percentile(floor, 0.5)), "live-median-µs")
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
