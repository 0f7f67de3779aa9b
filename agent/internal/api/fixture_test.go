package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/edgefleet/edgefleet/agent/internal/memo"
	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// catalog is a fixed set of installed model names.
type catalog []string

func (c catalog) HasModel(name string) bool {
	for _, n := range c {
		if n == name {
			return true
		}
	}
	return false
}

func (c catalog) ModelNames() []string { return c }

type fixture struct {
	rt   *runtime.Runtime
	srv  *Server
	blob []byte
}

type fixtureOpts struct {
	pool, queue int
	memo        bool
	bodyLimit   int64
	catalog     catalog
	blob        []byte
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newFixture(t testing.TB, o fixtureOpts) *fixture {
	t.Helper()
	if o.pool == 0 {
		o.pool = 2
	}
	if o.bodyLimit == 0 {
		o.bodyLimit = 1 << 20
	}
	if o.catalog == nil {
		o.catalog = catalog{"tiny", "pending"}
	}
	var cache *memo.Cache
	if o.memo {
		cache = memo.New(64, 1<<20)
	}
	metrics := NewMetrics()
	rt, err := runtime.New(runtime.Options{PoolSize: o.pool, QueueLength: o.queue, Memo: cache, Observer: metrics, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	blob := o.blob
	if blob == nil {
		if blob, err = builder.TinyClassifier(1); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256(blob)
	if err := rt.Activate(manifest.Manifest{Name: "tiny", Version: "1", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(blob))}, blob); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Runtime: rt, Metrics: metrics, Catalog: o.catalog, BodyLimit: o.bodyLimit, Version: "test", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{rt: rt, srv: srv, blob: blob}
}

// do sends one request to the handler and returns the status, headers and
// body.
func (f *fixture) do(t testing.TB, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// reference runs the model directly: raw int8 input → raw output.
func reference(t testing.TB, blob, in []byte) ([]byte, tflite.TensorInfo) {
	t.Helper()
	m, err := tflite.Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := it.Input(0).CopyFrom(in); err != nil {
		t.Fatal(err)
	}
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(it.Output(0).Bytes()), it.Output(0).Info()
}

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}
