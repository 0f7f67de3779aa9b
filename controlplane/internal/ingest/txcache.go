package ingest

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// txCache holds the records one group of batches touches, decoded once and
// encoded once at the end of the transaction: a group of hundreds of
// batches from a few devices rewrites each bucket key a single time.
type txCache struct {
	tx      *bolt.Tx
	states  map[string]*deviceState
	devices map[string]*DeviceBucket // bucket name + key
	models  map[string]*ModelAgg
	refs    map[string]*Reference
}

func newTxCache(tx *bolt.Tx) *txCache {
	return &txCache{tx: tx, states: map[string]*deviceState{}, devices: map[string]*DeviceBucket{},
		models: map[string]*ModelAgg{}, refs: map[string]*Reference{}}
}

func load[T any](b *bolt.Bucket, key []byte, what string) (*T, error) {
	v := new(T)
	if raw := b.Get(key); raw != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("%s %q: %w", what, key, err)
		}
	}
	return v, nil
}

func (c *txCache) state(id string) (*deviceState, error) {
	if s, ok := c.states[id]; ok {
		return s, nil
	}
	s, err := load[deviceState](c.tx.Bucket(bucketState), []byte(id), "device state")
	if err == nil {
		c.states[id] = s
	}
	return s, err
}

func (c *txCache) device(bucket, key []byte) (*DeviceBucket, error) {
	ck := string(bucket) + "\x00" + string(key)
	if d, ok := c.devices[ck]; ok {
		return d, nil
	}
	d, err := load[DeviceBucket](c.tx.Bucket(bucket), key, "device bucket")
	if err == nil {
		c.devices[ck] = d
	}
	return d, err
}

func (c *txCache) model(bucket, key []byte) (*ModelAgg, error) {
	ck := string(bucket) + "\x00" + string(key)
	if m, ok := c.models[ck]; ok {
		return m, nil
	}
	m, err := load[ModelAgg](c.tx.Bucket(bucket), key, "model bucket")
	if err == nil {
		c.models[ck] = m
	}
	return m, err
}

func (c *txCache) reference(model, version string) (*Reference, error) {
	k := string(refKey(model, version))
	if r, ok := c.refs[k]; ok {
		return r, nil
	}
	r, err := load[Reference](c.tx.Bucket(bucketRef), []byte(k), "reference")
	if err == nil {
		c.refs[k] = r
	}
	return r, err
}

// flush writes every touched record back.
func (c *txCache) flush() error {
	put := func(bucket []byte, key string, v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return c.tx.Bucket(bucket).Put([]byte(key), raw)
	}
	for id, s := range c.states {
		if err := put(bucketState, id, s); err != nil {
			return err
		}
	}
	for ck, d := range c.devices {
		bucket, key := splitCacheKey(ck)
		if err := put(bucket, key, d); err != nil {
			return err
		}
	}
	for ck, m := range c.models {
		bucket, key := splitCacheKey(ck)
		if err := put(bucket, key, m); err != nil {
			return err
		}
	}
	for k, r := range c.refs {
		if len(r.Hist) == 0 && !r.Uploaded {
			continue // nothing adopted yet: keep the key absent
		}
		if err := put(bucketRef, k, r); err != nil {
			return err
		}
	}
	return nil
}

func splitCacheKey(ck string) ([]byte, string) {
	for i := 0; i < len(ck); i++ {
		if ck[i] == 0 {
			return []byte(ck[:i]), ck[i+1:]
		}
	}
	return nil, ck
}
