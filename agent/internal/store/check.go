package store

import (
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Check verifies the invariants listed in the package doc over the whole
// database, recomputing every blob's sha256, and bbolt's own page
// consistency. It reads everything, so it costs a full scan; the agent runs
// it at start and tests run it after crashes. Errors wrap ErrCorrupt.
func (s *Store) Check() error {
	err := s.db.View(func(tx *bolt.Tx) error {
		// Drain the channel fully: the checker goroutine blocks on
		// every send, so stopping at the first error would leak it.
		var pageErrs []error
		for err := range tx.Check() {
			pageErrs = append(pageErrs, err)
		}
		if len(pageErrs) > 0 {
			return fmt.Errorf("%w: bbolt: %w", ErrCorrupt, errors.Join(pageErrs...))
		}
		named := map[string]bool{}
		versions := map[string]bool{}
		err := tx.Bucket(bucketManifests).ForEach(func(k, _ []byte) error {
			name, version, ok := strings.Cut(string(k), "/")
			if !ok {
				return fmt.Errorf("%w: manifest key %q has no '/'", ErrCorrupt, k)
			}
			signed, _, err := getModel(tx, name, version, true)
			if err != nil {
				return err
			}
			if m := signed.Manifest; m.Name != name || m.Version != version {
				return fmt.Errorf("%w: manifest key %q holds %s/%s", ErrCorrupt, k, m.Name, m.Version)
			}
			named[signed.Manifest.SHA256] = true
			versions[string(k)] = true
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketPointers).ForEach(func(k, v []byte) error {
			p, err := decodePointer(v)
			if err != nil {
				return err
			}
			name := string(k)
			if p.Active == "" || !versions[name+"/"+p.Active] {
				return fmt.Errorf("%w: model %s: active version %q is not stored", ErrCorrupt, name, p.Active)
			}
			if p.Previous != "" && (p.Previous == p.Active || !versions[name+"/"+p.Previous]) {
				return fmt.Errorf("%w: model %s: previous version %q is not stored or equals active", ErrCorrupt, name, p.Previous)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketBlobs).ForEach(func(k, _ []byte) error {
			if !named[string(k)] {
				return fmt.Errorf("%w: blob %s is named by no manifest", ErrCorrupt, k)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	return nil
}
