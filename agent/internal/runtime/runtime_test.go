package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/memo"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// tinyModel returns the tiny int8 classifier for seed with a manifest
// naming it version.
func tinyModel(t testing.TB, name, version string, seed uint64) (manifest.Manifest, []byte) {
	t.Helper()
	blob, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(blob)
	return manifest.Manifest{Name: name, Version: version, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(blob))}, blob
}

// direct runs blob on a fresh interpreter: the reference the runtime must
// reproduce byte for byte.
func direct(t testing.TB, blob []byte, input []byte) []byte {
	t.Helper()
	m, err := tflite.Load(blob)
	if err != nil {
		t.Fatal(err)
	}
	it, err := tflite.NewInterpreter(m, tflite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := it.Input(0).CopyFrom(input); err != nil {
		t.Fatal(err)
	}
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(it.Output(0).Bytes())
}

func input(i int) []byte {
	b := make([]byte, builder.TinyInputs)
	for j := range b {
		b[j] = byte(i*7 + j*13)
	}
	return b
}

func newRuntime(t testing.TB, opts Options) *Runtime {
	t.Helper()
	if opts.PoolSize == 0 {
		opts.PoolSize = 2
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func infer(r *Runtime, name, version string, in []byte) (Result, Info, error) {
	h, err := r.Acquire(name, version)
	if err != nil {
		return Result{}, Info{}, err
	}
	defer h.Release()
	res, err := h.Infer(context.Background(), [][]byte{in})
	return res, h.Info(), err
}

func TestInferMatchesInterpreter(t *testing.T) {
	r := newRuntime(t, Options{QueueLength: 4})
	m, blob := tinyModel(t, "tiny", "1", 1)
	if err := r.Activate(m, blob); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		res, info, err := infer(r, "tiny", "", input(i))
		if err != nil {
			t.Fatal(err)
		}
		if want := direct(t, blob, input(i)); !bytes.Equal(res.Outputs[0], want) {
			t.Fatalf("input %d: runtime % x, interpreter % x", i, res.Outputs[0], want)
		}
		if info.Version != "1" || info.Inputs[0].DType != "int8" || info.Outputs[0].Name != "probabilities" {
			t.Fatalf("info %+v", info)
		}
	}
	if got := r.Models(); len(got) != 1 || got[0].Name != "tiny" {
		t.Fatalf("Models() = %+v", got)
	}
}

func TestAcquireAndInputErrors(t *testing.T) {
	r := newRuntime(t, Options{})
	m, blob := tinyModel(t, "tiny", "1", 1)
	if err := r.Activate(m, blob); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Acquire("nope", ""); !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := r.Acquire("tiny", "2"); !errors.Is(err, ErrVersionNotActive) {
		t.Fatalf("inactive version: %v", err)
	}
	h, err := r.Acquire("tiny", "1")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	for _, in := range [][][]byte{nil, {input(0), input(1)}, {input(0)[:3]}} {
		if _, err := h.Infer(context.Background(), in); !errors.Is(err, ErrBadInput) || ErrorKind(err) != "bad_input" {
			t.Fatalf("inputs %v: error %v, want ErrBadInput", in, err)
		}
	}
	if err := r.Activate(manifest.Manifest{Name: "bad", Version: "1"}, []byte("not a model")); err == nil {
		t.Fatal("loading garbage succeeded")
	}
}

// occupy takes the version's only interpreter as a running request would.
func occupy(t *testing.T, r *Runtime, name string) (release func()) {
	t.Helper()
	r.mu.RLock()
	v := r.models[name]
	r.mu.RUnlock()
	v.admitted.Add(1)
	it := <-v.idle
	return func() { v.idle <- it; v.admitted.Add(-1) }
}

func TestQueueFullAndTimeout(t *testing.T) {
	r := newRuntime(t, Options{PoolSize: 1, QueueLength: 1})
	m, blob := tinyModel(t, "tiny", "1", 1)
	if err := r.Activate(m, blob); err != nil {
		t.Fatal(err)
	}
	release := occupy(t, r, "tiny")

	queued := make(chan error, 1)
	go func() { _, _, err := infer(r, "tiny", "", input(1)); queued <- err }()
	deadline := time.Now().Add(5 * time.Second)
	for r.Stats()[0].Waiting != 1 {
		if time.Now().After(deadline) {
			t.Fatal("request never queued")
		}
		time.Sleep(time.Millisecond)
	}
	if _, _, err := infer(r, "tiny", "", input(2)); !errors.Is(err, ErrQueueFull) || ErrorKind(err) != "queue_full" {
		t.Fatalf("third request: %v, want ErrQueueFull", err)
	}
	release()
	if err := <-queued; err != nil {
		t.Fatalf("queued request: %v", err)
	}

	release = occupy(t, r, "tiny")
	defer release()
	h, err := r.Acquire("tiny", "")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Infer(ctx, [][]byte{input(3)}); !errors.Is(err, ErrTimeout) || ErrorKind(err) != "timeout" {
		t.Fatalf("timed-out request: %v, want ErrTimeout", err)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (rec *recorder) Observe(e Event) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.events = append(rec.events, e)
}

func TestMemoAndObserver(t *testing.T) {
	rec := &recorder{}
	cache := memo.New(16, 1<<20)
	r := newRuntime(t, Options{Memo: cache, Observer: Observers{rec}})
	m, blob := tinyModel(t, "tiny", "1", 1)
	if err := r.Activate(m, blob); err != nil {
		t.Fatal(err)
	}
	first, _, err := infer(r, "tiny", "", input(1))
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := infer(r, "tiny", "", input(1))
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || !second.Cached || !bytes.Equal(first.Outputs[0], second.Outputs[0]) {
		t.Fatalf("first cached=%v second cached=%v", first.Cached, second.Cached)
	}
	if s := cache.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("cache stats %+v", s)
	}
	// A new version with other weights must not be answered from the
	// previous version's cache entries.
	m2, blob2 := tinyModel(t, "tiny", "2", 2)
	if err := r.Activate(m2, blob2); err != nil {
		t.Fatal(err)
	}
	third, _, err := infer(r, "tiny", "", input(1))
	if err != nil || third.Cached || !bytes.Equal(third.Outputs[0], direct(t, blob2, input(1))) {
		t.Fatalf("after swap: cached=%v err=%v", third.Cached, err)
	}
	if len(rec.events) != 3 || !rec.events[1].Cached || rec.events[2].Version != "2" || rec.events[0].Invoke <= 0 {
		t.Fatalf("events %+v", rec.events)
	}
}

// TestHotSwapUnderLoad swaps versions while 32 clients infer: every request
// must succeed with the exact output of the version that served it, and
// every replaced version must be freed once drained.
func TestHotSwapUnderLoad(t *testing.T) {
	r := newRuntime(t, Options{PoolSize: 2, QueueLength: 64})
	const versions = 6
	blobs := map[string][]byte{}
	var ms []manifest.Manifest
	for i := range versions {
		m, blob := tinyModel(t, "tiny", fmt.Sprint(i+1), uint64(i+1))
		ms = append(ms, m)
		blobs[m.Version] = blob
	}
	want := map[string][]byte{}
	for v, blob := range blobs {
		want[v] = direct(t, blob, input(9))
	}
	if err := r.Activate(ms[0], blobs["1"]); err != nil {
		t.Fatal(err)
	}
	var retired []*version
	var served sync.Map
	var count atomic.Int64
	stop := make(chan struct{})
	errs := make(chan error, 32)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, info, err := infer(r, "tiny", "", input(9))
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(res.Outputs[0], want[info.Version]) {
					errs <- fmt.Errorf("version %s answered % x, want % x", info.Version, res.Outputs[0], want[info.Version])
					return
				}
				served.Store(info.Version, true)
				count.Add(1)
			}
		})
	}
	for _, m := range ms[1:] {
		time.Sleep(30 * time.Millisecond)
		r.mu.RLock()
		retired = append(retired, r.models["tiny"])
		r.mu.RUnlock()
		if err := r.Activate(m, blobs[m.Version]); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(30 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	served.Range(func(_, _ any) bool { n++; return true })
	t.Logf("%d requests served by %d versions", count.Load(), n)
	if n < 2 {
		t.Errorf("only %d versions served requests; the swap was not exercised", n)
	}
	for _, v := range retired {
		select {
		case <-v.drained:
		case <-time.After(5 * time.Second):
			t.Fatalf("version %s was never freed", v.info.Version)
		}
		if v.model != nil || len(v.idle) != 0 {
			t.Fatalf("version %s still holds its model or interpreters", v.info.Version)
		}
	}
	if s := r.Stats(); len(s) != 1 || s[0].Version != fmt.Sprint(versions) || s[0].Running != 0 || s[0].Waiting != 0 {
		t.Fatalf("stats after load: %+v", s)
	}
}

func TestUnload(t *testing.T) {
	r := newRuntime(t, Options{})
	m, blob := tinyModel(t, "tiny", "1", 1)
	if err := r.Activate(m, blob); err != nil {
		t.Fatal(err)
	}
	h, err := r.Acquire("tiny", "")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Unload("tiny") {
		t.Fatal("Unload reported no model")
	}
	// The pinned version keeps serving until released.
	if _, err := h.Infer(context.Background(), [][]byte{input(0)}); err != nil {
		t.Fatal(err)
	}
	h.Release()
	h.Release()
	if _, err := r.Acquire("tiny", ""); !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("after unload: %v", err)
	}
}

func TestNewOptions(t *testing.T) {
	if _, err := New(Options{PoolSize: 0}); err == nil {
		t.Fatal("pool size 0 accepted")
	}
	if _, err := New(Options{PoolSize: 1, QueueLength: -1}); err == nil {
		t.Fatal("negative queue accepted")
	}
}
