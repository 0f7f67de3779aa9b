package api

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/config"
)

// BenchmarkInferOverhead measures POST /v2/models/tiny/infer end to end
// through the production server (Serve, with the default config's
// timeouts) over real loopback TCP and a unix socket, with 1 and 32
// keep-alive clients at a time, of two kinds:
//
//   - nethttp: net/http's Client, what most Go apps use. Its Transport
//     hands every request to two goroutines of its own, so on a small,
//     busy machine its round trip carries the client's scheduling too.
//   - raw: HTTP/1.1 written on one connection per client and answers
//     parsed with http.ReadResponse on the calling goroutine, like a
//     lean C or curl client: closer to the server's own cost.
//
// Each reports median and p99 of the round trip and of the bare Invoke
// of the same model, their differences (the API's overhead), throughput,
// the connections the server accepted (keep-alive check), and the GET
// /v2/health/live round trip as the transport's floor. The memo cache is
// off so every request runs the interpreter.
func BenchmarkInferOverhead(b *testing.B) {
	for _, network := range []string{"tcp", "unix"} {
		for _, clients := range []int{1, 32} {
			for _, kind := range []string{"nethttp", "raw"} {
				b.Run(fmt.Sprintf("%s/clients=%d/client=%s", network, clients, kind), func(b *testing.B) {
					benchOverhead(b, network, clients, kind)
				})
			}
		}
	}
}

// countingListener counts accepted connections, to check the clients
// really keep their connections alive.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// serve runs a fixture's server with Serve on a fresh listener of the
// given network, with the default config's timeouts, until cleanup. It
// returns the listener (for its address and connection count).
func serve(b *testing.B, f *fixture, network string) *countingListener {
	b.Helper()
	addr, sock := "127.0.0.1:0", ""
	if network == "unix" {
		addr, sock = "", filepath.Join(b.TempDir(), "api.sock")
	}
	ls, err := Listen(addr, sock)
	if err != nil {
		b.Fatal(err)
	}
	cl := &countingListener{Listener: ls[0]}
	cfg := config.Default().HTTP
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- f.srv.Serve(ctx, []net.Listener{cl}, Timeouts{ReadHeader: cfg.ReadHeaderTimeout, Read: cfg.ReadTimeout, Write: cfg.WriteTimeout, Idle: cfg.IdleTimeout}, cfg.ShutdownTimeout)
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Serve: %v", err)
		}
	})
	return cl
}

// roundTripper sends one request and drains the answer, failing on any
// status but 200.
type roundTripper interface {
	roundTrip(method, path string, body []byte) error
}

// netHTTPClient is a keep-alive net/http client; goroutines may share it.
type netHTTPClient struct {
	c    *http.Client
	base string
}

func newNetHTTPClient(b *testing.B, l net.Listener, conns int) *netHTTPClient {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	base := "http://" + l.Addr().String()
	if l.Addr().Network() == "unix" {
		base = "http://agent"
		sock := l.Addr().String()
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}
	}
	b.Cleanup(tr.CloseIdleConnections)
	return &netHTTPClient{c: &http.Client{Transport: tr}, base: base}
}

func (n *netHTTPClient) roundTrip(method, path string, body []byte) error {
	req, err := http.NewRequest(method, n.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body == nil {
		req.Body, req.ContentLength = nil, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := n.c.Do(req)
	if err != nil {
		return err
	}
	return drain(resp)
}

func drain(resp *http.Response) error {
	_, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// rawClient owns one keep-alive connection; one goroutine uses it.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
	buf  []byte
}

func newRawClient(b *testing.B, l net.Listener) *rawClient {
	conn, err := net.Dial(l.Addr().Network(), l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return &rawClient{conn: conn, br: bufio.NewReader(conn)}
}

func (r *rawClient) roundTrip(method, path string, body []byte) error {
	buf := append(r.buf[:0], method...)
	buf = append(buf, ' ')
	buf = append(buf, path...)
	buf = append(buf, " HTTP/1.1\r\nHost: agent\r\n"...)
	if body != nil {
		buf = append(buf, "Content-Type: application/json\r\nContent-Length: "...)
		buf = strconv.AppendInt(buf, int64(len(body)), 10)
		buf = append(buf, "\r\n"...)
	}
	buf = append(append(buf, "\r\n"...), body...)
	r.buf = buf
	if _, err := r.conn.Write(buf); err != nil {
		return err
	}
	resp, err := http.ReadResponse(r.br, nil)
	if err != nil {
		return err
	}
	return drain(resp)
}

func benchOverhead(b *testing.B, network string, clients int, kind string) {
	f := newFixture(b, fixtureOpts{pool: goruntime.GOMAXPROCS(0), queue: 64, catalog: catalog{"tiny"}})
	l := serve(b, f, network)
	rts := make([]roundTripper, clients)
	var shared *netHTTPClient
	for i := range rts {
		switch kind {
		case "raw":
			rts[i] = newRawClient(b, l)
		default:
			if shared == nil {
				shared = newNetHTTPClient(b, l, clients)
			}
			rts[i] = shared
		}
	}
	const path = "/v2/models/tiny/infer"
	body := []byte(fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput)))

	// The floor: the same client answering the cheapest route, so the
	// report separates the HTTP stack's cost from the infer handler's.
	floor := make([]time.Duration, 0, 2000)
	for range cap(floor) {
		start := time.Now()
		if err := rts[0].roundTrip("GET", "/v2/health/live", nil); err != nil {
			b.Fatal(err)
		}
		floor = append(floor, time.Since(start))
	}
	slices.Sort(floor)

	var (
		mu    sync.Mutex
		lat   []time.Duration
		wg    sync.WaitGroup
		ready sync.WaitGroup // warm-up done on every client
		start = make(chan struct{})
	)
	per := max(1, b.N/clients)
	ready.Add(clients)
	for _, rt := range rts {
		wg.Go(func() {
			// Warm up: open connections, create the interpreters, let the
			// pools settle.
			for range 50 {
				if err := rt.roundTrip("POST", path, body); err != nil {
					b.Error(err)
				}
			}
			ready.Done()
			<-start
			mine := make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				if err := rt.roundTrip("POST", path, body); err != nil {
					b.Error(err)
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	ready.Wait()
	b.ResetTimer()
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()

	// The bare Invoke, measured now so it sees the same machine load.
	bare := invokeLatencies(b, f.blob, 20000)
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
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	conns := l.accepted.Load()
	b.ReportMetric(float64(conns), "conns")
	// net/http's Transport may replace a connection now and then (a dial
	// racing a connection coming back idle); without keep-alive there
	// would be one per request.
	if conns > int64(2*clients+1) {
		b.Errorf("%d connections for %d keep-alive clients: connections are not reused", conns, clients)
	}
}
