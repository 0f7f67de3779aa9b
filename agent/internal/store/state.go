package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// State keys used by this package; other packages pick their own,
// prefixed with their package name (e.g. "telemetry.seq").
const keyIdentity = "store.identity"

// GetState returns a copy of the value stored under key, ErrNotFound when
// there is none.
func (s *Store) GetState(key string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketState).Get([]byte(key))
		if v == nil {
			return ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get state %q: %w", key, err)
	}
	return out, nil
}

// PutState stores value under key.
func (s *Store) PutState(key string, value []byte) error {
	if key == "" {
		return fmt.Errorf("put state: %w: empty key", ErrInvalid)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketState).Put([]byte(key), value)
	})
	if err != nil {
		return fmt.Errorf("put state %q: %w", key, err)
	}
	return nil
}

// DeleteState removes key; deleting a missing key is not an error.
func (s *Store) DeleteState(key string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketState).Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("delete state %q: %w", key, err)
	}
	return nil
}

// UpdateState replaces key's value with fn(old) in one transaction (old is
// nil when the key is absent; fn must not keep it). If fn fails nothing
// changes; if it returns nil the key is deleted.
func (s *Store) UpdateState(key string, fn func(old []byte) ([]byte, error)) error {
	if key == "" {
		return fmt.Errorf("update state: %w: empty key", ErrInvalid)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketState)
		next, err := fn(b.Get([]byte(key)))
		if err != nil {
			return err
		}
		if next == nil {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), next)
	})
	if err != nil {
		return fmt.Errorf("update state %q: %w", key, err)
	}
	return nil
}

// NextSequence increments the uint64 counter stored under key and returns
// the new value (1 the first time). The counter survives restarts, which
// is what telemetry sequence numbers need.
func (s *Store) NextSequence(key string) (uint64, error) {
	var n uint64
	err := s.UpdateState(key, func(old []byte) ([]byte, error) {
		switch len(old) {
		case 0:
		case 8:
			n = binary.BigEndian.Uint64(old)
		default:
			return nil, fmt.Errorf("%w: counter is %d bytes, want 8", ErrCorrupt, len(old))
		}
		n++
		return binary.BigEndian.AppendUint64(nil, n), nil
	})
	return n, err
}

// Identity is this agent installation's identity, created on first use and
// kept for the life of the data directory.
type Identity struct {
	// InstanceID is 128 random bits in hex; it tells reinstalls apart even
	// when the device id is reused.
	InstanceID string    `json:"instance_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// Identity returns the stored identity, creating it in the same
// transaction when absent.
func (s *Store) Identity() (Identity, error) {
	var id Identity
	err := s.UpdateState(keyIdentity, func(old []byte) ([]byte, error) {
		if old != nil {
			if err := json.Unmarshal(old, &id); err != nil {
				return nil, fmt.Errorf("%w: identity: %w", ErrCorrupt, err)
			}
			return bytes.Clone(old), nil
		}
		var raw [16]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("random instance id: %w", err)
		}
		id = Identity{InstanceID: hex.EncodeToString(raw[:]), CreatedAt: time.Now().UTC()}
		return json.Marshal(id)
	})
	if err != nil {
		return Identity{}, fmt.Errorf("identity: %w", err)
	}
	return id, nil
}
