package ingest

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// resolution is a bucket granularity: 1 minute or 1 hour.
type resolution int

const (
	minute resolution = iota
	hour
	resolutions
)

// bucketOf and stepOf are each resolution's bbolt bucket and length.
var (
	bucketOf = [resolutions][]byte{minute: bucketMinute, hour: bucketHour}
	stepOf   = [resolutions]time.Duration{minute: time.Minute, hour: time.Hour}
)

// txCache holds the records groups of batches touch, decoded once and
// encoded once per transaction: a group of hundreds of batches from a few
// devices rewrites each bucket key a single time.
//
// It belongs to the writer goroutine and outlives a transaction: the
// records the previous group touched stay decoded, because the next group
// almost always touches them again (the same devices' current minute and
// hour), and decoding them from JSON again for every group was about half
// of the writer's time. The cache is exact, not a guess: only the writer changes
// these records, every committed change is written through, and whatever
// else writes the buckets (Sweep, SetReference) bumps Ingester.storeGen,
// which empties the cache before the next group. A group that fails empties
// it too, since its records were changed in a transaction that rolled back.
type txCache struct {
	tx  *bolt.Tx
	gen uint64 // storeGen the records were read under
	// cur holds what the running group touched (and flush writes); prev
	// what the previous group touched, moved to cur when touched again and
	// dropped otherwise, which bounds the cache by two groups.
	cur, prev *records
	key       []byte // scratch for building keys
}

// records are decoded bucket values by key.
type records struct {
	states  map[string]*deviceState
	devices [resolutions]map[string]*DeviceBucket
	models  [resolutions]map[string]*ModelAgg
	refs    map[string]*Reference
}

func newRecords() *records {
	r := &records{states: map[string]*deviceState{}, refs: map[string]*Reference{}}
	for i := range resolutions {
		r.devices[i] = map[string]*DeviceBucket{}
		r.models[i] = map[string]*ModelAgg{}
	}
	return r
}

func (r *records) clear() {
	clear(r.states)
	clear(r.refs)
	for i := range resolutions {
		clear(r.devices[i])
		clear(r.models[i])
	}
}

func newTxCache() *txCache {
	return &txCache{cur: newRecords(), prev: newRecords()}
}

// begin starts a group in tx, read under store generation gen.
func (c *txCache) begin(tx *bolt.Tx, gen uint64) {
	if gen != c.gen {
		c.reset()
		c.gen = gen
	}
	c.tx = tx
	c.cur, c.prev = c.prev, c.cur
	c.cur.clear()
}

// reset forgets every record: the store may differ from them.
func (c *txCache) reset() {
	c.cur.clear()
	c.prev.clear()
}

// lookup returns the record under key from cur, or from prev (moving it to
// cur), or decodes it from tx's bucket (a zero record when absent). Map
// lookups by string(key) do not allocate; the key is copied only when the
// record enters cur.
func lookup[T any](cur, prev map[string]*T, tx *bolt.Tx, bucket, key []byte, what string) (*T, error) {
	if v, ok := cur[string(key)]; ok {
		return v, nil
	}
	if v, ok := prev[string(key)]; ok {
		cur[string(key)] = v
		return v, nil
	}
	v := new(T)
	if raw := tx.Bucket(bucket).Get(key); raw != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("%s %q: %w", what, key, err)
		}
	}
	cur[string(key)] = v
	return v, nil
}

func (c *txCache) state(id string) (*deviceState, error) {
	c.key = append(c.key[:0], id...)
	return lookup(c.cur.states, c.prev.states, c.tx, bucketState, c.key, "device state")
}

func (c *txCache) device(res resolution, id string, start int64) (*DeviceBucket, error) {
	c.key = appendDeviceKey(c.key[:0], id, start)
	return lookup(c.cur.devices[res], c.prev.devices[res], c.tx, bucketOf[res], c.key, "device bucket")
}

func (c *txCache) model(res resolution, model, version string, start int64) (*ModelAgg, error) {
	c.key = appendModelKey(c.key[:0], "m", model, version, start)
	return lookup(c.cur.models[res], c.prev.models[res], c.tx, bucketOf[res], c.key, "model bucket")
}

func (c *txCache) group(res resolution, model, version, group string, start int64) (*ModelAgg, error) {
	c.key = appendGroupKey(c.key[:0], model, version, group, start)
	return lookup(c.cur.models[res], c.prev.models[res], c.tx, bucketOf[res], c.key, "model bucket")
}

func (c *txCache) reference(model, version string) (*Reference, error) {
	c.key = appendRefKey(c.key[:0], model, version)
	return lookup(c.cur.refs, c.prev.refs, c.tx, bucketRef, c.key, "reference")
}

// flush writes every record the group touched back.
func (c *txCache) flush() error {
	put := func(bucket []byte, key string, v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return c.tx.Bucket(bucket).Put([]byte(key), raw)
	}
	for id, s := range c.cur.states {
		if err := put(bucketState, id, s); err != nil {
			return err
		}
	}
	for res := range resolutions {
		for k, d := range c.cur.devices[res] {
			if err := put(bucketOf[res], k, d); err != nil {
				return err
			}
		}
		for k, m := range c.cur.models[res] {
			if err := put(bucketOf[res], k, m); err != nil {
				return err
			}
		}
	}
	for k, r := range c.cur.refs {
		if len(r.Hist) == 0 && !r.Uploaded {
			continue // nothing adopted yet: keep the key absent
		}
		if err := put(bucketRef, k, r); err != nil {
			return err
		}
	}
	return nil
}
