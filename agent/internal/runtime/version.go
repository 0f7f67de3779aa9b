package runtime

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgefleet/edgefleet/proto/inference"
	"github.com/edgefleet/edgefleet/tflite"
)

// Info describes a loaded model version.
type Info struct {
	Name    string
	Version string
	SHA256  string
	Inputs  []inference.TensorSpec
	Outputs []inference.TensorSpec
	// ArenaBytes is one interpreter's activation arena.
	ArenaBytes int
	LoadedAt   time.Time
}

// version is one loaded model version with its interpreter pool.
type version struct {
	info    Info
	model   *tflite.Model
	options tflite.Options

	// idle holds interpreters not in use; created counts interpreters made
	// so far (at most poolSize, made lazily so idle models stay small).
	idle     chan *tflite.Interpreter
	created  atomic.Int32
	poolSize int32

	// admitted counts requests running or queued; limit bounds it.
	admitted atomic.Int64
	waiting  atomic.Int64
	limit    int64

	mu      sync.Mutex
	refs    int
	retired bool
	// drained is closed once the version is retired and unreferenced.
	drained chan struct{}
}

func newVersion(info Info, m *tflite.Model, opts tflite.Options, poolSize, queueLength int) (*version, error) {
	v := &version{
		info:     info,
		model:    m,
		options:  opts,
		idle:     make(chan *tflite.Interpreter, poolSize),
		poolSize: int32(poolSize),
		limit:    int64(poolSize + queueLength),
		drained:  make(chan struct{}),
	}
	// One interpreter up front, so a model that cannot get its arena (or
	// fails to prepare) is refused at load instead of at the first request.
	it, err := tflite.NewInterpreter(m, opts)
	if err != nil {
		return nil, fmt.Errorf("model %s version %s: interpreter: %w", info.Name, info.Version, err)
	}
	v.created.Store(1)
	v.idle <- it
	return v, nil
}

// ref pins the version; the caller holds the runtime's read lock, so the
// version cannot be retired concurrently.
func (v *version) ref() {
	v.mu.Lock()
	v.refs++
	v.mu.Unlock()
}

// unref drops a pin and frees the version when it was the last one of a
// retired version.
func (v *version) unref() {
	v.mu.Lock()
	v.refs--
	free := v.retired && v.refs == 0
	v.mu.Unlock()
	if free {
		v.free()
	}
}

// retire marks the version replaced; it is freed now or when its last
// request releases it.
func (v *version) retire() {
	v.mu.Lock()
	v.retired = true
	free := v.refs == 0
	v.mu.Unlock()
	if free {
		v.free()
	}
}

// free drops the interpreters and the model so the garbage collector can
// reclaim the arena and the weights.
func (v *version) free() {
	for {
		select {
		case <-v.idle:
			continue
		default:
		}
		break
	}
	v.model = nil
	close(v.drained)
}

// interpreter takes a free interpreter, creating one while the pool is
// below size, or waits for one until ctx ends.
func (v *version) interpreter(ctx context.Context) (*tflite.Interpreter, error) {
	select {
	case it := <-v.idle:
		return it, nil
	default:
	}
	for {
		n := v.created.Load()
		if n >= v.poolSize {
			break
		}
		if v.created.CompareAndSwap(n, n+1) {
			it, err := tflite.NewInterpreter(v.model, v.options)
			if err != nil {
				v.created.Add(-1)
				return nil, fmt.Errorf("%w: interpreter: %w", ErrInvoke, err)
			}
			return it, nil
		}
	}
	v.waiting.Add(1)
	defer v.waiting.Add(-1)
	select {
	case it := <-v.idle:
		return it, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for a free interpreter: %w", ErrTimeout, ctx.Err())
	}
}

// Stats are a version's live load figures.
type Stats struct {
	Model   string
	Version string
	// Running is the requests holding an interpreter, Waiting those queued.
	Running int64
	Waiting int64
	// Interpreters is how many interpreters exist (at most the pool size).
	Interpreters int
}

func (v *version) stats() Stats {
	waiting := v.waiting.Load()
	return Stats{
		Model:        v.info.Name,
		Version:      v.info.Version,
		Running:      max(0, v.admitted.Load()-waiting),
		Waiting:      waiting,
		Interpreters: int(v.created.Load()),
	}
}
