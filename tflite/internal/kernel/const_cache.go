package kernel

import "sync"

// ConstCache keeps what kernels derive from a model's constant tensors —
// packed weights, folded zero-point corrections — so that every
// interpreter of one Model shares a single copy instead of repacking.
// Entries are built once and never modified afterwards, which makes them
// safe to read from any number of interpreters concurrently.
type ConstCache struct {
	mu      sync.Mutex
	entries map[constKey]any
}

// constKey names one derived value: the node that owns it and what it is.
type constKey struct {
	node int
	kind string
}

// NewConstCache returns an empty cache, one per Model.
func NewConstCache() *ConstCache {
	return &ConstCache{entries: make(map[constKey]any)}
}

// constCached returns node n's value of the given kind, building it on the
// first request. Without a cache (unit tests, constant folding) it builds
// a private value each time. build must depend only on constant tensors
// and the node's options, never on activation data.
func constCached[V any](n *Node, kind string, build func() V) V {
	c := n.Consts
	if c == nil {
		return build()
	}
	key := constKey{node: n.Index, kind: kind}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.entries[key].(V); ok {
		return v
	}
	v := build()
	c.entries[key] = v
	return v
}
