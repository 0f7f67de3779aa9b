package tflite

import (
	"fmt"
	"slices"
)

// arenaAlign is the alignment of every tensor in the arena, as TFLite's
// arena planner uses.
const arenaAlign = 16

// arenaPlan places every non-constant tensor in one arena.
type arenaPlan struct {
	// offsets[i] is tensor i's byte offset in the arena, -1 when it has no
	// place there (constants, unused or empty tensors).
	offsets []int
	size    int
}

// lifetime is the span of operator steps during which a tensor's bytes
// must be preserved, both ends included.
type lifetime struct {
	tensor      int
	size        int
	first, last int
}

// planArena lays out non-constant tensors by lifetime, greedily by size
// like TFLite's GreedyMemoryPlanner: largest first, each at the lowest
// aligned offset that overlaps no already placed tensor whose lifetime
// overlaps its own. Graph inputs live for the whole run and graph outputs
// from their producer to the end, so Invoke never overwrites what the
// caller wrote or is about to read.
func planArena(m *Model) (arenaPlan, error) {
	lives := lifetimes(m)
	slices.SortStableFunc(lives, func(a, b lifetime) int {
		if a.size != b.size {
			return b.size - a.size
		}
		return a.first - b.first
	})
	plan := arenaPlan{offsets: make([]int, len(m.tensors))}
	for i := range plan.offsets {
		plan.offsets[i] = -1
	}
	type span struct{ lo, hi int }
	placed := make([]lifetime, 0, len(lives))
	busy := make([]span, 0, len(lives))
	for _, lt := range lives {
		busy = busy[:0]
		for _, p := range placed {
			if p.first <= lt.last && lt.first <= p.last {
				off := plan.offsets[p.tensor]
				busy = append(busy, span{off, off + p.size})
			}
		}
		slices.SortFunc(busy, func(a, b span) int { return a.lo - b.lo })
		off := 0
		for _, s := range busy {
			if off+lt.size <= s.lo {
				break
			}
			off = max(off, alignUp(s.hi))
		}
		plan.offsets[lt.tensor] = off
		plan.size = max(plan.size, off+lt.size)
		if plan.size > maxArenaBytes {
			return arenaPlan{}, fmt.Errorf("%w: activation arena needs more than %d bytes", ErrInvalidModel, maxArenaBytes)
		}
		placed = append(placed, lt)
	}
	plan.size = alignUp(plan.size)
	return plan, nil
}

// lifetimes returns the lifetime of every non-constant, non-empty tensor
// the graph uses. Step s is operator s; graph inputs start at 0.
func lifetimes(m *Model) []lifetime {
	end := max(len(m.exec)-1, 0)
	first := make([]int, len(m.tensors))
	last := make([]int, len(m.tensors))
	for i := range first {
		first[i], last[i] = -1, -1
	}
	use := func(ti, step int) {
		if ti < 0 || m.tensors[ti].Const {
			return
		}
		if first[ti] < 0 || step < first[ti] {
			first[ti] = step
		}
		last[ti] = max(last[ti], step)
	}
	for _, ti := range m.inputs {
		use(ti, 0)
		use(ti, end)
	}
	for s, n := range m.exec {
		for _, ti := range n.inputs {
			use(ti, s)
		}
		for _, ti := range n.outputs {
			use(ti, s)
		}
	}
	for _, ti := range m.outputs {
		use(ti, end)
	}
	var out []lifetime
	for ti := range m.tensors {
		if first[ti] < 0 {
			continue
		}
		size := m.tensors[ti].ByteSize()
		if size == 0 {
			continue
		}
		out = append(out, lifetime{tensor: ti, size: size, first: first[ti], last: last[ti]})
	}
	return out
}

func alignUp(n int) int { return (n + arenaAlign - 1) &^ (arenaAlign - 1) }
