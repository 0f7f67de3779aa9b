package runtime

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/memo"
	"github.com/edgefleet/edgefleet/proto/inference"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
)

// Options configure a Runtime.
type Options struct {
	// PoolSize is the number of interpreters per model (at least 1).
	PoolSize int
	// QueueLength is how many requests per model may wait for an
	// interpreter before Infer fails with ErrQueueFull.
	QueueLength int
	// ArenaLimit caps each interpreter's arena in bytes; 0 is no cap.
	ArenaLimit int64
	// Memo caches outputs by (model sha256, inputs); nil disables it.
	Memo *memo.Cache
	// Observer sees every inference; nil for none.
	Observer Observer
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Runtime holds the active version of every loaded model. It is safe for
// concurrent use.
type Runtime struct {
	opts Options
	log  *slog.Logger

	mu     sync.RWMutex
	models map[string]*version
}

// New returns an empty runtime.
func New(opts Options) (*Runtime, error) {
	if opts.PoolSize < 1 {
		return nil, fmt.Errorf("runtime: pool size %d, want at least 1", opts.PoolSize)
	}
	if opts.QueueLength < 0 {
		return nil, fmt.Errorf("runtime: queue length %d, want at least 0", opts.QueueLength)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Runtime{opts: opts, log: log, models: make(map[string]*version)}, nil
}

// Activate loads blob as the active version of the manifest's model and
// swaps it in. Requests already holding the previous version finish on it;
// its interpreters and weights are dropped when the last one releases.
// Activate does not verify signatures or probes: the caller (package
// install, or the store at start-up, which only holds verified versions)
// has. The blob must not be modified afterwards.
func (r *Runtime) Activate(m manifest.Manifest, blob []byte) error {
	model, err := tflite.Load(blob)
	if err != nil {
		return fmt.Errorf("load model %s version %s: %w", m.Name, m.Version, err)
	}
	info := Info{
		Name:       m.Name,
		Version:    m.Version,
		SHA256:     m.SHA256,
		Inputs:     specs(model.Inputs()),
		Outputs:    specs(model.Outputs()),
		ArenaBytes: model.ArenaSize(),
		LoadedAt:   time.Now(),
	}
	v, err := newVersion(info, model, tflite.Options{MemoryLimit: r.opts.ArenaLimit}, r.opts.PoolSize, r.opts.QueueLength)
	if err != nil {
		return err
	}
	r.mu.Lock()
	old := r.models[m.Name]
	r.models[m.Name] = v
	r.mu.Unlock()
	if old != nil {
		old.retire()
		r.log.Info("model swapped", "model", m.Name, "version", m.Version, "previous", old.info.Version, "arena_bytes", info.ArenaBytes)
	} else {
		r.log.Info("model loaded", "model", m.Name, "version", m.Version, "sha256", m.SHA256, "arena_bytes", info.ArenaBytes)
	}
	return nil
}

// Unload removes a model; in-flight requests finish first.
func (r *Runtime) Unload(name string) bool {
	r.mu.Lock()
	old := r.models[name]
	delete(r.models, name)
	r.mu.Unlock()
	if old != nil {
		old.retire()
	}
	return old != nil
}

// Acquire pins the active version of a model; version, when not empty,
// must be the active one. Release the handle when done.
func (r *Runtime) Acquire(name, version string) (*Handle, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v := r.models[name]
	if v == nil {
		return nil, fmt.Errorf("model %q: %w", name, ErrUnknownModel)
	}
	if version != "" && version != v.info.Version {
		return nil, fmt.Errorf("model %q version %q (active version is %q): %w", name, version, v.info.Version, ErrVersionNotActive)
	}
	v.ref()
	return &Handle{r: r, v: v}, nil
}

// Models describes every loaded model's active version, sorted by name.
func (r *Runtime) Models() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Info, 0, len(r.models))
	for _, v := range r.models {
		out = append(out, v.info)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Stats returns every active version's load figures, sorted by model.
func (r *Runtime) Stats() []Stats {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Stats, 0, len(r.models))
	for _, v := range r.models {
		out = append(out, v.stats())
	}
	slices.SortFunc(out, func(a, b Stats) int { return strings.Compare(a.Model, b.Model) })
	return out
}

// Memo returns the memoization cache (nil when disabled).
func (r *Runtime) Memo() *memo.Cache { return r.opts.Memo }

// specs converts the engine's tensor descriptions to the API codec's.
func specs(infos []tflite.TensorInfo) []inference.TensorSpec {
	out := make([]inference.TensorSpec, len(infos))
	for i, t := range infos {
		out[i] = inference.TensorSpec{Name: t.Name, DType: t.Type.String(), Shape: slices.Clone(t.Shape), Scale: t.Scale, ZeroPoint: t.ZeroPoint}
	}
	return out
}
