package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/memo"
)

// Handle pins one model version for one request.
type Handle struct {
	r        *Runtime
	v        *version
	released bool
}

// Info describes the pinned version.
func (h *Handle) Info() Info { return h.v.info }

// Release unpins the version. It is safe to call twice.
func (h *Handle) Release() {
	if h.released {
		return
	}
	h.released = true
	h.v.unref()
}

// Result is one inference's outputs.
type Result struct {
	// Outputs are the raw output tensors in model order. They may be shared
	// with the memoization cache and must not be modified.
	Outputs [][]byte
	// Cached is set when the memoization cache answered.
	Cached bool
}

// Infer runs the pinned version on raw input tensors (one per model input,
// exactly each tensor's byte size). It fails with ErrQueueFull when the
// version's pool and queue are full, ErrTimeout when ctx ends first,
// ErrBadInput for mismatched inputs and ErrInvoke when the interpreter
// fails.
func (h *Handle) Infer(ctx context.Context, inputs [][]byte) (Result, error) {
	info := &h.v.info
	ev := Event{Model: info.Name, Version: info.Version, SHA256: info.SHA256, Start: time.Now(), Inputs: inputs, InputSpecs: info.Inputs, OutputSpecs: info.Outputs}
	res, err := h.infer(ctx, inputs, &ev)
	ev.Latency = time.Since(ev.Start)
	ev.Err = err
	ev.Outputs = res.Outputs
	ev.Cached = res.Cached
	if h.r.opts.Observer != nil {
		h.r.opts.Observer.Observe(ev)
	}
	return res, err
}

func (h *Handle) infer(ctx context.Context, inputs [][]byte, ev *Event) (Result, error) {
	v := h.v
	if h.released {
		return Result{}, errors.New("runtime: Infer on a released handle")
	}
	if err := checkInputs(v.info, inputs); err != nil {
		return Result{}, err
	}
	key := ""
	if cache := h.r.opts.Memo; cache != nil {
		key = memo.Key(v.info.SHA256, inputs)
		if outs, ok := cache.Get(key); ok {
			return Result{Outputs: outs, Cached: true}, nil
		}
	}
	if v.admitted.Add(1) > v.limit {
		v.admitted.Add(-1)
		return Result{}, fmt.Errorf("model %s version %s: %d requests running or queued: %w", v.info.Name, v.info.Version, v.limit, ErrQueueFull)
	}
	defer v.admitted.Add(-1)
	it, err := v.interpreter(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("model %s version %s: %w", v.info.Name, v.info.Version, err)
	}
	defer func() { v.idle <- it }()
	ev.Queued = time.Since(ev.Start)
	for i, in := range inputs {
		if err := it.Input(i).CopyFrom(in); err != nil {
			return Result{}, fmt.Errorf("%w: input %d (%s): %w", ErrBadInput, i, v.info.Inputs[i].Name, err)
		}
	}
	start := time.Now()
	err = it.Invoke(ctx)
	ev.Invoke = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("model %s version %s: %w: %w", v.info.Name, v.info.Version, ErrTimeout, err)
		}
		return Result{}, fmt.Errorf("model %s version %s: %w: %w", v.info.Name, v.info.Version, ErrInvoke, err)
	}
	outs := copyOutputs(it.NumOutputs(), func(i int) []byte { return it.Output(i).Bytes() })
	if key != "" {
		h.r.opts.Memo.Put(key, outs)
	}
	return Result{Outputs: outs}, nil
}

// checkInputs compares the raw inputs' count and sizes with the model.
func checkInputs(info Info, inputs [][]byte) error {
	if len(inputs) != len(info.Inputs) {
		return fmt.Errorf("%w: model %s has %d inputs, got %d", ErrBadInput, info.Name, len(info.Inputs), len(inputs))
	}
	for i, spec := range info.Inputs {
		size, err := spec.ElemSize()
		if err != nil {
			return fmt.Errorf("%w: input %q: %w", ErrBadInput, spec.Name, err)
		}
		if want := size * spec.Elements(); len(inputs[i]) != want {
			return fmt.Errorf("%w: input %q: expected %d bytes, got %d", ErrBadInput, spec.Name, want, len(inputs[i]))
		}
	}
	return nil
}

// copyOutputs copies every output out of the interpreter's arena into one
// allocation, since the arena is overwritten by the next request.
func copyOutputs(n int, out func(int) []byte) [][]byte {
	total := 0
	for i := range n {
		total += len(out(i))
	}
	buf := make([]byte, 0, total)
	outs := make([][]byte, n)
	for i := range n {
		start := len(buf)
		buf = append(buf, out(i)...)
		outs[i] = buf[start:len(buf):len(buf)]
	}
	return outs
}
