package memo

import (
	"fmt"
	"sync"
	"testing"
)

func TestKeyUnambiguous(t *testing.T) {
	a := Key("abc", [][]byte{{1, 2}, {3}})
	b := Key("abc", [][]byte{{1}, {2, 3}})
	c := Key("abd", [][]byte{{1, 2}, {3}})
	if a == b || a == c || b == c {
		t.Fatal("different (sha, inputs) produced equal keys")
	}
	if Key("abc", [][]byte{{1, 2}, {3}}) != a {
		t.Fatal("Key is not deterministic")
	}
}

func TestLRUEntries(t *testing.T) {
	c := New(2, 1<<20)
	c.Put("a", [][]byte{{1}})
	c.Put("b", [][]byte{{2}})
	if _, ok := c.Get("a"); !ok { // a is now most recent
		t.Fatal("a missing")
	}
	c.Put("c", [][]byte{{3}}) // evicts b
	if _, ok := c.Get("b"); ok {
		t.Fatal("b should have been evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%s missing", k)
		}
	}
	s := c.Stats()
	if s.Hits != 3 || s.Misses != 1 || s.Entries != 2 || s.Evictions != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestByteBound(t *testing.T) {
	limit := int64(3 * (entryOverhead + 1 + 100))
	c := New(100, limit)
	for i := range 10 {
		c.Put(fmt.Sprint(i), [][]byte{make([]byte, 100)})
		if s := c.Stats(); s.Bytes > limit {
			t.Fatalf("after %d puts: %d bytes > limit %d", i+1, s.Bytes, limit)
		}
	}
	if s := c.Stats(); s.Entries != 3 {
		t.Fatalf("entries %d, want 3", s.Entries)
	}
	c.Put("huge", [][]byte{make([]byte, limit)})
	if _, ok := c.Get("huge"); ok {
		t.Fatal("entry larger than the byte bound was stored")
	}
	c.Put("9", [][]byte{make([]byte, 10)}) // replacing an entry frees its old size
	if s := c.Stats(); s.Entries != 3 || s.Bytes != 2*(entryOverhead+1+100)+entryOverhead+1+10 {
		t.Fatalf("after replace: %+v", s)
	}
}

func TestDisabled(t *testing.T) {
	for _, c := range []*Cache{New(0, 100), New(10, 0)} {
		c.Put("a", [][]byte{{1}})
		if _, ok := c.Get("a"); ok {
			t.Fatal("disabled cache returned a value")
		}
		if c.Stats() != (Stats{}) {
			t.Fatal("disabled cache has counters")
		}
	}
}

func TestConcurrent(t *testing.T) {
	c := New(50, 1<<20)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := fmt.Sprint((g * i) % 80)
				if _, ok := c.Get(k); !ok {
					c.Put(k, [][]byte{{byte(i)}})
				}
			}
		})
	}
	wg.Wait()
	if s := c.Stats(); s.Entries > 50 || s.Hits+s.Misses != 8000 {
		t.Fatalf("stats %+v", s)
	}
}

// TestKeyCopiesOnce checks Key allocates only the key itself, however
// large the inputs.
func TestKeyCopiesOnce(t *testing.T) {
	inputs := [][]byte{make([]byte, 64<<10), {1, 2, 3}}
	if n := testing.AllocsPerRun(20, func() { _ = Key("sha", inputs) }); n != 1 {
		t.Fatalf("%v allocations per key, want 1", n)
	}
}
