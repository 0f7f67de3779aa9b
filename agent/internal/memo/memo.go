// Package memo is the agent's memoization cache: a least-recently-used map
// from (model sha256, input bytes) to the outputs the model computed, bounded
// both by entry count and by bytes. Models are deterministic, so a repeated
// input (a sensor stuck on the same reading, a retried request) is answered
// without running the interpreter.
package memo

import (
	"container/list"
	"encoding/binary"
	"strings"
	"sync"
)

// entryOverhead approximates the bookkeeping bytes of one entry (list
// element, map slot, slice headers) so that many tiny entries still count
// against the byte bound.
const entryOverhead = 128

// Cache is a size-bounded LRU cache, safe for concurrent use. A nil *Cache
// is a disabled cache: every Get misses and Put does nothing.
type Cache struct {
	maxEntries int
	maxBytes   int64

	mu      sync.Mutex
	ll      *list.List // front is most recently used
	items   map[string]*list.Element
	bytes   int64
	hits    uint64
	misses  uint64
	evicted uint64
}

type entry struct {
	key     string
	outputs [][]byte
	size    int64
}

// Stats are the cache's counters.
type Stats struct {
	Hits      uint64
	Misses    uint64
	Evictions uint64
	Entries   int
	Bytes     int64
}

// New returns a cache holding at most maxEntries entries and maxBytes bytes
// (keys, values and a fixed per-entry overhead). It returns nil, a disabled
// cache, when either bound is zero or negative.
func New(maxEntries int, maxBytes int64) *Cache {
	if maxEntries <= 0 || maxBytes <= 0 {
		return nil
	}
	return &Cache{maxEntries: maxEntries, maxBytes: maxBytes, ll: list.New(), items: make(map[string]*list.Element)}
}

// Key builds the cache key of a model blob's sha256 and its raw input
// tensors. Each input is length-prefixed so that different splits of the
// same bytes never collide. The inputs are copied once, straight into the
// key's string.
func Key(modelSHA256 string, inputs [][]byte) string {
	n := len(modelSHA256) + 1
	for _, in := range inputs {
		n += binary.MaxVarintLen64 + len(in)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(modelSHA256)
	b.WriteByte(0)
	var prefix [binary.MaxVarintLen64]byte
	for _, in := range inputs {
		b.Write(binary.AppendUvarint(prefix[:0], uint64(len(in))))
		b.Write(in)
	}
	return b.String()
}

// Get returns the outputs stored under key and marks them recently used.
// The returned slices are shared with the cache and must not be modified.
func (c *Cache) Get(key string) ([][]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.ll.MoveToFront(el)
	return el.Value.(*entry).outputs, true
}

// Put stores outputs under key, evicting least recently used entries to
// stay within both bounds. The cache keeps outputs as given; the caller must
// not modify them afterwards. An entry larger than the byte bound is not
// stored.
func (c *Cache) Put(key string, outputs [][]byte) {
	if c == nil {
		return
	}
	size := int64(len(key) + entryOverhead)
	for _, o := range outputs {
		size += int64(len(o))
	}
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.ll.PushFront(&entry{key: key, outputs: outputs, size: size})
	c.bytes += size
	for c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.ll.Back())
		c.evicted++
	}
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*entry)
	c.ll.Remove(el)
	delete(c.items, e.key)
	c.bytes -= e.size
}

// Stats returns the current counters; a disabled cache reports zeros.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Hits: c.hits, Misses: c.misses, Evictions: c.evicted, Entries: c.ll.Len(), Bytes: c.bytes}
}
