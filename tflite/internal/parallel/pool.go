// Package parallel runs a kernel's independent work items on a fixed set of
// worker goroutines that live as long as the interpreter owning them, so
// splitting an operator across cores costs no goroutine creation and no
// allocation per Invoke.
package parallel

import "sync"

// Task is work split into numbered parts. RunParts computes parts [lo, hi)
// on worker w (0 ≤ w < Pool.Workers()); w selects per-worker scratch.
// Implementations are usually the prepared operator itself, so handing
// one to the pool does not allocate.
type Task interface {
	RunParts(w, lo, hi int)
}

// Pool is a set of worker goroutines. The zero value and a nil *Pool run
// everything on the calling goroutine. A Pool is used by one goroutine at a
// time (its interpreter's).
type Pool struct {
	workers int
	jobs    []chan job // one per helper goroutine (workers-1 of them)
	done    sync.WaitGroup
	once    sync.Once
}

type job struct {
	task   Task
	w      int
	lo, hi int
}

// New starts a pool of threads workers: the caller's goroutine plus
// threads-1 helpers. threads ≤ 1 starts no goroutine. Close stops them.
func New(threads int) *Pool {
	p := &Pool{workers: max(threads, 1)}
	p.jobs = make([]chan job, p.workers-1)
	for i := range p.jobs {
		ch := make(chan job, 1)
		p.jobs[i] = ch
		go p.serve(ch)
	}
	return p
}

func (p *Pool) serve(ch chan job) {
	for j := range ch {
		j.task.RunParts(j.w, j.lo, j.hi)
		p.done.Done()
	}
}

// Workers returns how many goroutines Run may use (≥ 1).
func (p *Pool) Workers() int {
	if p == nil || p.workers < 1 {
		return 1
	}
	return p.workers
}

// Run splits parts [0, n) into Workers() contiguous, nearly equal ranges,
// runs them concurrently (the first on the calling goroutine) and returns
// when all are done. Fewer ranges are used when n is smaller.
func (p *Pool) Run(t Task, n int) {
	if n <= 0 {
		return
	}
	w := min(p.Workers(), n)
	if w == 1 {
		t.RunParts(0, 0, n)
		return
	}
	p.done.Add(w - 1)
	for i := 1; i < w; i++ {
		p.jobs[i-1] <- job{task: t, w: i, lo: i * n / w, hi: (i + 1) * n / w}
	}
	t.RunParts(0, 0, n/w)
	p.done.Wait()
}

// Close stops the helper goroutines. The pool must not be used afterwards;
// calling Close more than once is harmless.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		for _, ch := range p.jobs {
			close(ch)
		}
	})
}
