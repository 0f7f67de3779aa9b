package parallel

import (
	"sync/atomic"
	"testing"
)

// countTask records which parts ran and on which worker.
type countTask struct {
	hits    []atomic.Int32
	workers int
	badW    atomic.Int32
}

func (c *countTask) RunParts(w, lo, hi int) {
	if w < 0 || w >= c.workers {
		c.badW.Add(1)
	}
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func TestRunCoversEveryPartOnce(t *testing.T) {
	for _, tc := range []struct{ threads, n int }{
		{0, 5}, {1, 7}, {2, 1}, {2, 2}, {2, 9}, {3, 2}, {4, 100}, {8, 3},
	} {
		p := New(tc.threads)
		for round := 0; round < 3; round++ {
			task := &countTask{hits: make([]atomic.Int32, tc.n), workers: p.Workers()}
			p.Run(task, tc.n)
			for i := range task.hits {
				if got := task.hits[i].Load(); got != 1 {
					t.Fatalf("threads %d n %d: part %d ran %d times", tc.threads, tc.n, i, got)
				}
			}
			if task.badW.Load() != 0 {
				t.Fatalf("threads %d: worker index out of range", tc.threads)
			}
		}
		p.Close()
		p.Close()
	}
}

func TestNilPoolRunsInline(t *testing.T) {
	var p *Pool
	task := &countTask{hits: make([]atomic.Int32, 4), workers: 1}
	p.Run(task, 4)
	for i := range task.hits {
		if task.hits[i].Load() != 1 {
			t.Fatalf("part %d not run", i)
		}
	}
	p.Close()
}

func TestRunDoesNotAllocate(t *testing.T) {
	p := New(2)
	defer p.Close()
	task := &countTask{hits: make([]atomic.Int32, 64), workers: 2}
	if a := testing.AllocsPerRun(100, func() { p.Run(task, 64) }); a != 0 {
		t.Fatalf("Run allocates %v times", a)
	}
}

// busyTask counts parts.
type busyTask struct{ n atomic.Int64 }

func (b *busyTask) RunParts(_, lo, hi int) { b.n.Add(int64(hi - lo)) }

// TestRunProgressesWhenOversubscribed runs many small tasks while other
// goroutines keep every CPU busy, as other work in the agent may: Run must
// keep completing (no lost wake-ups, no starvation) and cover every part.
func TestRunProgressesWhenOversubscribed(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	for i := 0; i < 3; i++ {
		go func() {
			x := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				for j := 0; j < 10000; j++ {
					x += j
				}
			}
		}()
	}
	for _, threads := range []int{2, 3} {
		p := New(threads)
		task := &busyTask{}
		want := int64(0)
		for i := 0; i < 300; i++ {
			n := 1 + i%9
			p.Run(task, n)
			want += int64(n)
		}
		p.Close()
		if got := task.n.Load(); got != want {
			t.Fatalf("threads %d: %d parts ran, want %d", threads, got, want)
		}
	}
}
