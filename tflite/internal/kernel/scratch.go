package kernel

import "unsafe"

// Scratch is memory the operators of one interpreter borrow while they
// run. Operators run one at a time, so they can all use the same bytes:
// the interpreter's scratch is as large as the largest need, not the sum
// of them. An operator declares its need when prepared (Reserve) and
// takes the memory in Eval; the interpreter allocates it (Alloc) once
// every operator is prepared. Nothing in it survives from one Eval to the
// next.
type Scratch struct {
	size int
	buf  []uint64 // 8-byte aligned for any element type
}

// Reserve records a need of n bytes.
func (s *Scratch) Reserve(n int) { s.size = max(s.size, n) }

// Alloc allocates the memory for every reservation made so far.
func (s *Scratch) Alloc() { s.buf = make([]uint64, (s.size+7)/8) }

// borrowed is one operator's share of a Scratch: its own private memory
// when the node has no Scratch (unit tests, constant folding), else the
// shared one.
type borrowed[E any] struct {
	shared *Scratch
	n      int // elements
	own    []E
}

// borrow declares a need of n elements of E for node nd.
func borrow[E any](nd *Node, n int) borrowed[E] {
	b := borrowed[E]{shared: nd.Scratch, n: n}
	if nd.Scratch == nil {
		b.own = make([]E, n)
		return b
	}
	var zero E
	nd.Scratch.Reserve(n * int(unsafe.Sizeof(zero)))
	return b
}

// get returns the n elements; valid until the operator's Eval returns.
func (b *borrowed[E]) get() []E {
	if b.own != nil || b.n == 0 {
		return b.own
	}
	buf := b.shared.buf
	if len(buf)*8 < b.n*int(unsafe.Sizeof(*new(E))) {
		panic("kernel: scratch used before Scratch.Alloc")
	}
	return unsafe.Slice((*E)(unsafe.Pointer(&buf[0])), b.n)
}
