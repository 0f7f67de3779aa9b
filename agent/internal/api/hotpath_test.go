package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTimeoutContext(t *testing.T) {
	closed := make(chan struct{})
	close(closed)

	t.Run("deadline without Done", func(t *testing.T) {
		ctx := newTimeoutContext(context.Background(), 20*time.Millisecond, closed)
		defer ctx.release()
		if err := ctx.Err(); err != nil {
			t.Fatalf("Err before the deadline: %v", err)
		}
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > 20*time.Millisecond {
			t.Fatalf("Deadline %v %v", d, ok)
		}
		time.Sleep(30 * time.Millisecond)
		if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Err after the deadline: %v", err)
		}
	})
	t.Run("Done closes at the deadline", func(t *testing.T) {
		ctx := newTimeoutContext(context.Background(), 20*time.Millisecond, closed)
		defer ctx.release()
		select {
		case <-ctx.Done():
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Fatalf("Err %v", ctx.Err())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Done never closed")
		}
	})
	t.Run("parent cancel", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		ctx := newTimeoutContext(parent, time.Hour, closed)
		defer ctx.release()
		done := ctx.Done()
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Done not closed by the parent's cancel")
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err %v", ctx.Err())
		}
	})
	t.Run("earlier parent deadline", func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ctx := newTimeoutContext(parent, time.Hour, closed)
		defer ctx.release()
		want, _ := parent.Deadline()
		if got, _ := ctx.Deadline(); !got.Equal(want) {
			t.Fatalf("Deadline %v, want the parent's %v", got, want)
		}
	})
	t.Run("release", func(t *testing.T) {
		for _, armed := range []bool{false, true} {
			ctx := newTimeoutContext(context.Background(), time.Hour, closed)
			if armed {
				ctx.Done()
			}
			ctx.release()
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatalf("armed=%v: Done open after release", armed)
			}
		}
	})
}

// TestInferTimeout runs a request whose timeout has passed before the
// interpreter starts: the lazily armed context must still stop it (503).
func TestInferTimeout(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	srv, err := New(Options{Runtime: f.rt, Metrics: NewMetrics(), BodyLimit: 1 << 20, RequestTimeout: time.Nanosecond, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v2/models/tiny/infer", strings.NewReader(body)))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "timed out") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// TestChunkedBodies covers bodies without a declared length: read to the
// end when within the limit, 413 beyond it.
func TestChunkedBodies(t *testing.T) {
	f := newFixture(t, fixtureOpts{bodyLimit: 600})
	ok := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	tests := []struct {
		name, body string
		status     int
	}{
		{"within limit", ok, 200},
		{"beyond limit", strings.Replace(ok, `{"inputs"`, `{"id":"`+strings.Repeat("x", 700)+`","inputs"`, 1), 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// io.MultiReader hides the length, so the request is chunked.
			req := httptest.NewRequest("POST", "/v2/models/tiny/infer", io.MultiReader(strings.NewReader(tc.body)))
			if req.ContentLength != -1 {
				t.Fatalf("content length %d, want unknown", req.ContentLength)
			}
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
		})
	}
}

// TestScratchReuse sends different requests in turn through the pooled
// per-request buffers: nothing of one request may leak into the next.
func TestScratchReuse(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	in := func(dt, data string) string {
		return fmt.Sprintf(`{"name":"input","shape":[1,8],"datatype":%q,"data":%s}`, dt, data)
	}
	floats := in("FP32", floatsJSON(floatInput))
	raws := in("INT8", "[16,-32,8,64,-4,0,48,-96]")
	bodies := []struct {
		body       string
		status     int
		has, lacks []string
	}{
		{`{"id":"first","parameters":{"raw_outputs":true},"inputs":[` + floats + `]}`, 200, []string{`"id":"first"`, `"datatype":"INT8"`}, nil},
		{`{"inputs":[` + raws + `]}`, 200, []string{`"datatype":"FP32"`}, []string{`"id"`, `"INT8"`}},
		{`{"inputs":[` + in("FP32", "[1,2,3]") + `]}`, 400, []string{`"field":"data"`}, nil},
		{`{"id":"again","inputs":[` + floats + `],"outputs":[{"name":"probabilities","parameters":{"raw":true}}]}`, 200, []string{`"id":"again"`, `"datatype":"INT8"`}, nil},
		{`{"inputs":[` + floats + `]}`, 200, []string{`"datatype":"FP32"`}, []string{`"id"`, `"INT8"`}},
	}
	var first []byte
	for round := range 3 {
		for i, tc := range bodies {
			status, _, body := f.do(t, "POST", "/v2/models/tiny/infer", tc.body)
			if status != tc.status {
				t.Fatalf("round %d body %d: status %d, want %d: %s", round, i, status, tc.status, body)
			}
			for _, want := range tc.has {
				if !strings.Contains(string(body), want) {
					t.Errorf("round %d body %d: %s lacks %s", round, i, body, want)
				}
			}
			for _, bad := range tc.lacks {
				if strings.Contains(string(body), bad) {
					t.Errorf("round %d body %d: %s has %s", round, i, body, bad)
				}
			}
			if i == 4 {
				if first == nil {
					first = body
				} else if string(body) != string(first) {
					t.Errorf("round %d: same request answered\n%s\nthen\n%s", round, first, body)
				}
			}
		}
	}
	// Raw and float inputs encode the same tensor, so both answers agree.
	_, _, a := f.do(t, "POST", "/v2/models/tiny/infer", `{"inputs":[`+floats+`]}`)
	_, _, b := f.do(t, "POST", "/v2/models/tiny/infer", `{"inputs":[`+raws+`]}`)
	if string(a) != string(b) {
		t.Fatalf("float and raw inputs answer differently:\n%s\n%s", a, b)
	}
}

// TestPanicAnswers500 checks a panicking handler gets a JSON 500, is
// counted, and leaves the server serving.
func TestPanicAnswers500(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	metrics := NewMetrics()
	srv, err := New(Options{
		Runtime:   f.rt,
		Metrics:   metrics,
		BodyLimit: 1 << 20,
		Admin:     http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }),
		Logger:    quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/admin/v1/models"); code != 500 || !strings.Contains(body, `"error":"boom"`) {
		t.Fatalf("panic answered %d: %s", code, body)
	}
	if code, _ := get("/v2/health/live"); code != 200 {
		t.Fatalf("live after a panic: %d", code)
	}
	_, text := get("/metrics")
	for _, want := range []string{
		`edgefleet_agent_http_requests_total{code="500",method="GET",route="/admin/v1/*"} 1`,
		`edgefleet_agent_errors_total{kind="internal",model=""} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestLargeBodies sends bodies beyond the presized buffer and beyond what
// the pool keeps, with and without a declared length, then a small one:
// every answer must be whole and correct.
func TestLargeBodies(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	data := floatsJSON(floatInput)
	for _, size := range []int{maxPresize + 1000, maxPooledBytes + 1000, 10} {
		id := strings.Repeat("x", size)
		body := fmt.Sprintf(`{"id":%q,"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, id, data)
		for _, chunked := range []bool{false, true} {
			var rd io.Reader = strings.NewReader(body)
			if chunked {
				rd = io.MultiReader(rd)
			}
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v2/models/tiny/infer", rd))
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"id":"`+id+`"`) {
				t.Fatalf("size %d chunked %v: status %d, body of %d bytes", size, chunked, rec.Code, rec.Body.Len())
			}
		}
	}
}
