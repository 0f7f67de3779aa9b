// Package spool is the agent's store-and-forward queue for telemetry
// batches, kept in the agent's bbolt database so nothing measured while
// offline is lost to a restart or a power cut.
//
// Invariants, each held by a single bbolt transaction:
//   - Sequence numbers are assigned in Append, persisted in the same
//     transaction as the entry, and never repeat or go back for a database.
//   - An entry leaves the spool only through Ack (after the broker's PUBACK)
//     or eviction when the spool exceeds its byte bound; eviction removes the
//     oldest entries first and adds them (and any drop count they carried)
//     to the pending drop count that the next Append hands to its builder.
package spool

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var (
	entriesBucket = []byte("spool")
	metaBucket    = []byte("spool_meta")
	keySeq        = []byte("seq")
	keyBytes      = []byte("bytes")
	keyDropped    = []byte("dropped_pending")
	keyDropTotal  = []byte("dropped_total")
)

// DefaultMaxBytes bounds the spool when the caller gives no limit.
const DefaultMaxBytes = 16 << 20

// headerSize is the per-entry header: the drop count the entry reports.
const headerSize = 8

// Spool is a bounded FIFO of encoded batches. It is safe for concurrent use
// (bbolt serialises writers).
type Spool struct {
	db       *bolt.DB
	maxBytes int64
}

// Entry is one spooled batch.
type Entry struct {
	Seq     uint64
	Dropped uint64 // the drop count this batch reports
	Payload []byte
}

// Stats describes the spool's content.
type Stats struct {
	Entries      int
	Bytes        int64  // payload bytes held
	NextSeq      uint64 // the sequence number the next Append assigns
	DroppedTotal uint64 // batches evicted since the database was created
}

// New opens the spool inside db, creating its buckets. maxBytes ≤ 0 means
// DefaultMaxBytes.
func New(db *bolt.DB, maxBytes int64) (*Spool, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(entriesBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("spool: create buckets: %w", err)
	}
	return &Spool{db: db, maxBytes: maxBytes}, nil
}

// BuildFunc encodes the batch that will carry sequence number seq and report
// dropped evicted batches.
type BuildFunc func(seq, dropped uint64) ([]byte, error)

// Append assigns the next sequence number, builds the payload with it and
// stores it, evicting the oldest entries if the spool grows past its bound.
// A payload larger than the whole bound is refused.
func (s *Spool) Append(build BuildFunc) (uint64, error) {
	var seq uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		entries := tx.Bucket(entriesBucket)
		seq = getUint(meta, keySeq) + 1
		dropped := getUint(meta, keyDropped)
		payload, err := build(seq, dropped)
		if err != nil {
			return fmt.Errorf("spool: build batch %d: %w", seq, err)
		}
		if int64(len(payload)) > s.maxBytes {
			return fmt.Errorf("spool: batch %d is %d bytes, larger than the spool limit of %d bytes", seq, len(payload), s.maxBytes)
		}
		val := make([]byte, headerSize+len(payload))
		binary.BigEndian.PutUint64(val, dropped)
		copy(val[headerSize:], payload)
		if err := entries.Put(seqKey(seq), val); err != nil {
			return err
		}
		size := int64(getUint(meta, keyBytes)) + int64(len(payload))
		evicted, extra := uint64(0), uint64(0)
		c := entries.Cursor()
		for k, v := c.First(); k != nil && size > s.maxBytes; k, v = c.First() {
			size -= int64(len(v) - headerSize)
			evicted++
			extra += binary.BigEndian.Uint64(v)
			if err := c.Delete(); err != nil {
				return err
			}
		}
		// The new batch reports the drops pending so far; what was evicted now
		// (with the drops those batches would have reported) is pending for
		// the next one.
		pending := evicted + extra
		for _, kv := range []struct {
			k []byte
			v uint64
		}{{keySeq, seq}, {keyBytes, uint64(size)}, {keyDropped, pending}, {keyDropTotal, getUint(meta, keyDropTotal) + evicted}} {
			if err := putUint(meta, kv.k, kv.v); err != nil {
				return err
			}
		}
		return nil
	})
	return seq, err
}

// Peek returns up to n of the oldest entries, oldest first.
func (s *Spool) Peek(n int) ([]Entry, error) {
	var out []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(entriesBucket).Cursor()
		for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
			out = append(out, Entry{
				Seq:     binary.BigEndian.Uint64(k),
				Dropped: binary.BigEndian.Uint64(v),
				Payload: append([]byte(nil), v[headerSize:]...),
			})
		}
		return nil
	})
	return out, err
}

// Ack removes the entry with sequence seq after the broker acknowledged it.
// Acknowledging an entry that is no longer there (evicted meanwhile) is not
// an error.
func (s *Spool) Ack(seq uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		entries := tx.Bucket(entriesBucket)
		v := entries.Get(seqKey(seq))
		if v == nil {
			return nil
		}
		meta := tx.Bucket(metaBucket)
		size := getUint(meta, keyBytes) - uint64(len(v)-headerSize)
		if err := entries.Delete(seqKey(seq)); err != nil {
			return err
		}
		return putUint(meta, keyBytes, size)
	})
}

// Stats reports the spool's size and counters.
func (s *Spool) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		st.Entries = tx.Bucket(entriesBucket).Stats().KeyN
		st.Bytes = int64(getUint(meta, keyBytes))
		st.NextSeq = getUint(meta, keySeq) + 1
		st.DroppedTotal = getUint(meta, keyDropTotal)
		return nil
	})
	return st, err
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

func getUint(b *bolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putUint(b *bolt.Bucket, k []byte, v uint64) error {
	buf := make([]byte, 8)
	binary.BigEndian.PutUint64(buf, v)
	return b.Put(k, buf)
}
