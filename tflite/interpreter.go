package tflite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// Options configure an Interpreter.
type Options struct {
	// Threads is the number of goroutines kernels may use; 0 means one.
	// With more than one, NewInterpreter starts Threads-1 helper
	// goroutines that live until the Interpreter is garbage collected;
	// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED split their work
	// across them.
	Threads int
	// MemoryLimit caps the activation arena in bytes; 0 means no cap.
	// NewInterpreter fails with ErrMemoryLimit when the model needs more.
	MemoryLimit int64
	// LowMemory runs integer CONV_2D, DEPTHWISE_CONV_2D and
	// FULLY_CONNECTED on the model's own weights with the reference loops,
	// instead of building packed copies (up to the weights' size again).
	// Outputs are identical; it is slower. For one-off runs of large
	// models, such as validating an upload.
	LowMemory bool
	// Profile times every operator of every Invoke (two clock reads per
	// operator, no allocation); read the sums with Interpreter.Profile.
	Profile bool
}

// Interpreter runs one Model. It owns the activation arena and its own
// prepared operators; use it from one goroutine at a time. Many
// interpreters may share one Model.
type Interpreter struct {
	m       *Model
	arena   []byte
	tensors []tensor.Tensor // this interpreter's tensors, bound to arena
	ops     []kernel.Op
	pool    *parallel.Pool // nil when single-threaded
	inputs  []*Tensor
	outputs []*Tensor
	profile []OpProfile // nil unless Options.Profile
}

// NewInterpreter allocates the model's arena once and prepares every
// operator on it.
func NewInterpreter(m *Model, opts Options) (*Interpreter, error) {
	if m == nil {
		return nil, fmt.Errorf("tflite: new interpreter: nil model")
	}
	if opts.Threads < 0 {
		return nil, fmt.Errorf("tflite: new interpreter: Options.Threads = %d, want >= 0", opts.Threads)
	}
	if opts.MemoryLimit < 0 {
		return nil, fmt.Errorf("tflite: new interpreter: Options.MemoryLimit = %d, want >= 0", opts.MemoryLimit)
	}
	if opts.MemoryLimit > 0 && int64(m.plan.size) > opts.MemoryLimit {
		return nil, fmt.Errorf("tflite: new interpreter: %w: arena needs %d bytes, limit is %d", ErrMemoryLimit, m.plan.size, opts.MemoryLimit)
	}
	it := &Interpreter{
		m:       m,
		arena:   alignedBytes(m.plan.size, nil),
		tensors: make([]tensor.Tensor, len(m.tensors)),
		ops:     make([]kernel.Op, len(m.exec)),
	}
	copy(it.tensors, m.tensors)
	for i := range it.tensors {
		t := &it.tensors[i]
		// Own shapes, so nothing an interpreter does can reach the shared
		// model; quantization parameters stay shared and read-only.
		t.Shape = append([]int(nil), t.Shape...)
		if off := m.plan.offsets[i]; off >= 0 {
			size := t.ByteSize()
			t.Data = it.arena[off : off+size : off+size]
		} else if !t.Const {
			t.Data = []byte{} // empty tensors, or ones no operator touches
		}
	}
	if opts.Threads > 1 {
		it.pool = parallel.New(opts.Threads)
		// The helpers reference only the pool, so the interpreter can be
		// collected; its cleanup then stops them.
		runtime.AddCleanup(it, func(p *parallel.Pool) { p.Close() }, it.pool)
	}
	scratch := &kernel.Scratch{}
	for i := range m.exec {
		n := m.exec[i].node(it.tensors)
		n.Pool, n.Consts, n.Scratch, n.LowMemory = it.pool, m.consts, scratch, opts.LowMemory
		prepare, ok := kernel.Lookup(n.Code)
		if !ok {
			return nil, fmt.Errorf("tflite: new interpreter: op %d (%s): %w: operator not supported", n.Index, opName(n.Code), ErrUnsupported)
		}
		op, err := prepare(n)
		if err != nil {
			return nil, fmt.Errorf("tflite: new interpreter: %w", err)
		}
		it.ops[i] = op
	}
	// Operators borrow the scratch only while they run, so one
	// allocation, as large as the largest need, serves them all.
	scratch.Alloc()
	it.inputs = it.wrap(m.inputs)
	it.outputs = it.wrap(m.outputs)
	if opts.Profile {
		it.profile = newProfile(m)
	}
	return it, nil
}

func (it *Interpreter) wrap(idx []int) []*Tensor {
	out := make([]*Tensor, len(idx))
	for i, ti := range idx {
		out[i] = &Tensor{t: &it.tensors[ti]}
	}
	return out
}

// Model returns the model this interpreter runs.
func (it *Interpreter) Model() *Model { return it.m }

// NumInputs returns the number of graph inputs.
func (it *Interpreter) NumInputs() int { return len(it.inputs) }

// NumOutputs returns the number of graph outputs.
func (it *Interpreter) NumOutputs() int { return len(it.outputs) }

// Input returns graph input i, or nil when i is out of range. Its bytes
// keep their value across Invoke calls.
func (it *Interpreter) Input(i int) *Tensor {
	if i < 0 || i >= len(it.inputs) {
		return nil
	}
	return it.inputs[i]
}

// Output returns graph output i, or nil when i is out of range. Its bytes
// are valid from the end of one Invoke to the start of the next.
func (it *Interpreter) Output(i int) *Tensor {
	if i < 0 || i >= len(it.outputs) {
		return nil
	}
	return it.outputs[i]
}

// Invoke runs every operator in order on the current inputs. It does not
// allocate, and checks ctx between operators so a cancelled context stops
// a long model early.
func (it *Interpreter) Invoke(ctx context.Context) (err error) {
	if ctx == nil {
		return errors.New("tflite: invoke: nil context")
	}
	step := -1
	// Kernels must return errors rather than panic; should one panic
	// anyway, the agent keeps running and reports it as an error.
	defer func() {
		if p := recover(); p != nil {
			err = it.panicError(step, p)
		}
	}()
	for i, op := range it.ops {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("tflite: invoke: stopped before op %d: %w", i, ctxErr)
		}
		step = i
		if it.profile != nil {
			if evalErr := it.evalTimed(i, op); evalErr != nil {
				return fmt.Errorf("tflite: invoke: %w", evalErr)
			}
			continue
		}
		if evalErr := op.Eval(); evalErr != nil {
			return fmt.Errorf("tflite: invoke: %w", evalErr)
		}
	}
	return nil
}

// evalTimed runs op i and adds its time to the profile.
func (it *Interpreter) evalTimed(i int, op kernel.Op) error {
	start := time.Now()
	err := op.Eval()
	p := &it.profile[i]
	p.Total += time.Since(start)
	p.Invokes++
	return err
}

func (it *Interpreter) panicError(step int, p any) error {
	if step < 0 {
		return fmt.Errorf("tflite: invoke: %w: panic: %v", errPanic, p)
	}
	n := &it.m.exec[step]
	return fmt.Errorf("tflite: invoke: op %d (%s): %w: panic: %v", n.index, opName(n.code), errPanic, p)
}
