// Package parallel runs a kernel's independent work items on a fixed set of
// worker goroutines that live as long as the interpreter owning them, so
// splitting an operator across cores costs no goroutine creation and no
// allocation per Invoke.
package parallel

import (
	"runtime"
	"sync/atomic"
)

// Task is work split into numbered parts. RunParts computes parts [lo, hi)
// on worker w (0 ≤ w < Pool.Workers()); w selects per-worker scratch.
// Implementations are usually the prepared operator itself, so handing
// one to the pool does not allocate.
type Task interface {
	RunParts(w, lo, hi int)
}

// spinChecks bounds how long an idle helper polls for the next task
// before parking (tens of microseconds). Operators of one Invoke follow
// each other closely; parking and waking a thread between them costs more
// than the work of a small operator, especially on virtual machines.
const spinChecks = 1 << 13

// waitChecks bounds how long Run polls for helpers to finish before
// blocking (around a millisecond).
const waitChecks = 1 << 20

// Pool is a set of worker goroutines. A nil *Pool runs everything on the
// calling goroutine. A Pool is used by one goroutine at a time (its
// interpreter's).
type Pool struct {
	workers int
	helpers []*helper
	spin    int // polls before parking; 0 when helpers share one CPU

	// Published by Run before gen is incremented; read by helpers after
	// they observe the new gen.
	task   Task
	parts  int
	chunk  int // parts claimed at a time
	closed bool
	// Parts are cut into one contiguous segment per worker; segs[w] is
	// worker w's (its first unclaimed part, its end). A worker claims its
	// own segment front to back, then helps with the others' (see claim).
	segs []segment

	gen     atomic.Uint64 // incremented once per Run (and by Close)
	pending atomic.Int32  // helpers that have not finished the current gen
	done    chan struct{} // signalled by the helper that finishes last
}

// segment is a run of parts, claimed from the front.
type segment struct {
	next atomic.Int64
	end  int
	_    [48]byte // keeps segments on separate cache lines
}

// helper is one helper goroutine's parking state.
type helper struct {
	parked atomic.Bool
	wake   chan struct{} // one token per wake-up, buffered
}

// New starts a pool of up to threads workers: the caller's goroutine plus
// helpers. It uses no more workers than GOMAXPROCS, because a worker
// waiting for a CPU would stall every operator. threads ≤ 1 (or one CPU)
// starts no goroutine. Close stops them.
func New(threads int) *Pool {
	p := &Pool{workers: max(1, min(threads, runtime.GOMAXPROCS(0))), spin: spinChecks, done: make(chan struct{}, 1)}
	p.segs = make([]segment, p.workers)
	p.helpers = make([]*helper, p.workers-1)
	for i := range p.helpers {
		h := &helper{wake: make(chan struct{}, 1)}
		p.helpers[i] = h
		go p.serve(i+1, h)
	}
	return p
}

// serve is helper w's loop: wait for a new generation, run its range,
// report completion.
func (p *Pool) serve(w int, h *helper) {
	last := uint64(0)
	for {
		last = p.await(h, last)
		if p.closed {
			p.finish()
			return
		}
		p.claim(w)
		p.finish()
	}
}

// await returns the next generation after last: it polls for a while,
// then parks until Run or Close hands it a wake token.
func (p *Pool) await(h *helper, last uint64) uint64 {
	for i := 0; i < p.spin; i++ {
		if g := p.gen.Load(); g != last {
			return g
		}
		if i%1024 == 1023 {
			// Yield now and then, in case the publisher needs this thread.
			runtime.Gosched()
		}
	}
	h.parked.Store(true)
	if g := p.gen.Load(); g != last {
		// A generation started while parking: take back the parked flag,
		// or, if the publisher already did, consume its token.
		if !h.parked.CompareAndSwap(true, false) {
			<-h.wake
		}
		return g
	}
	<-h.wake
	return p.gen.Load()
}

// finish reports a helper done with the generation; the last one wakes
// the publisher in case it stopped polling.
func (p *Pool) finish() {
	if p.pending.Add(-1) == 0 {
		select {
		case p.done <- struct{}{}:
		default:
		}
	}
}

// publish starts a generation and wakes parked helpers.
func (p *Pool) publish() {
	// No helper is running, so a token left by the previous generation
	// (finished while the publisher was still polling) can be dropped.
	select {
	case <-p.done:
	default:
	}
	p.pending.Store(int32(len(p.helpers)))
	p.gen.Add(1)
	for _, h := range p.helpers {
		if h.parked.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}

// wait returns once every helper finished the current generation: it
// polls (helpers usually finish together with the caller, and the caller
// has nothing else to do), yielding now and then, and blocks until the
// last helper signals only when that takes long.
func (p *Pool) wait() {
	for i := 0; i < waitChecks; i++ {
		if p.pending.Load() == 0 {
			return
		}
		if i%1024 == 1023 {
			runtime.Gosched()
		}
	}
	for p.pending.Load() != 0 {
		<-p.done
	}
}

// Workers returns how many goroutines Run may use (≥ 1).
func (p *Pool) Workers() int {
	if p == nil || p.workers < 1 {
		return 1
	}
	return p.workers
}

// Run computes parts [0, n) on all workers — the calling goroutine is
// worker 0 — and returns when all are done. Worker w starts on the w-th
// of equal contiguous segments, so consecutive operators that split the
// same rows leave each worker with the data it wrote itself (a core's
// own cache); workers claim small runs of parts as they go and, when
// their segment is done, take runs from the others', so a slow or late
// worker does less.
func (p *Pool) Run(t Task, n int) {
	if n <= 0 {
		return
	}
	if p.Workers() == 1 || n == 1 {
		t.RunParts(0, 0, n)
		return
	}
	p.task, p.parts = t, n
	p.chunk = max(1, n/(4*p.workers))
	for w := range p.segs {
		p.segs[w].next.Store(int64(w * n / p.workers))
		p.segs[w].end = (w + 1) * n / p.workers
	}
	p.publish()
	p.claim(0)
	p.wait()
	p.task = nil
}

// claim runs runs of parts of the current task on worker w until none
// are left: its own segment first, then the others' in turn.
func (p *Pool) claim(w int) {
	for i := range p.segs {
		seg := &p.segs[(w+i)%len(p.segs)]
		for {
			lo := int(seg.next.Add(int64(p.chunk))) - p.chunk
			if lo >= seg.end {
				break
			}
			p.task.RunParts(w, lo, min(lo+p.chunk, seg.end))
		}
	}
}

// Close stops the helper goroutines. The pool must not be used afterwards;
// calling Close more than once is harmless.
func (p *Pool) Close() {
	if p == nil || p.closed {
		return
	}
	p.closed = true
	p.publish()
	p.wait()
}
