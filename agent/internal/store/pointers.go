package store

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Pointer is a model's active and previous versions; Previous is empty
// until a second version is activated.
type Pointer struct {
	Active   string `json:"active"`
	Previous string `json:"previous,omitempty"`
}

func decodePointer(v []byte) (Pointer, error) {
	var p Pointer
	if err := json.Unmarshal(v, &p); err != nil {
		return Pointer{}, fmt.Errorf("%w: stored pointer: %w", ErrCorrupt, err)
	}
	return p, nil
}

func getPointer(tx *bolt.Tx, name string) (Pointer, error) {
	v := tx.Bucket(bucketPointers).Get([]byte(name))
	if v == nil {
		return Pointer{}, fmt.Errorf("model %s has no active version: %w", name, ErrNotFound)
	}
	return decodePointer(v)
}

func putPointer(tx *bolt.Tx, name string, p Pointer) error {
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode pointer %s: %w", name, err)
	}
	return tx.Bucket(bucketPointers).Put([]byte(name), v)
}

// Pointer returns a model's active and previous versions, ErrNotFound when
// none was ever activated.
func (s *Store) Pointer(name string) (Pointer, error) {
	var p Pointer
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getPointer(tx, name)
		return err
	})
	if err != nil {
		return Pointer{}, fmt.Errorf("pointer %s: %w", name, err)
	}
	return p, nil
}

// Activate makes a stored version active and the formerly active one
// previous, after recomputing the version's blob checksum in the same
// transaction. Activating the active version changes nothing. Callers
// verify signature and probe first (package install).
func (s *Store) Activate(name, version string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, _, err := getModel(tx, name, version, true); err != nil {
			return err
		}
		p, err := getPointer(tx, name)
		switch {
		case err == nil && p.Active == version:
			return nil
		case err == nil:
			p = Pointer{Active: version, Previous: p.Active}
		case errors.Is(err, ErrNotFound):
			p = Pointer{Active: version}
		default:
			return err
		}
		return putPointer(tx, name, p)
	})
	if err != nil {
		return fmt.Errorf("activate %s/%s: %w", name, version, err)
	}
	return nil
}

// Rollback swaps a model's active and previous versions, after recomputing
// the previous blob's checksum, and returns the newly active manifest. It
// fails with ErrNotFound when there is no previous version.
func (s *Store) Rollback(name string) (manifest.Signed, error) {
	var signed manifest.Signed
	err := s.db.Update(func(tx *bolt.Tx) error {
		p, err := getPointer(tx, name)
		if err != nil {
			return err
		}
		if p.Previous == "" {
			return fmt.Errorf("model %s (active %s) has no previous version: %w", name, p.Active, ErrNotFound)
		}
		signed, _, err = getModel(tx, name, p.Previous, true)
		if err != nil {
			return err
		}
		return putPointer(tx, name, Pointer{Active: p.Previous, Previous: p.Active})
	})
	if err != nil {
		return manifest.Signed{}, fmt.Errorf("rollback %s: %w", name, err)
	}
	return signed, nil
}
