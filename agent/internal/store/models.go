package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Entry summarizes one stored model version for listings.
type Entry struct {
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	Active    bool      `json:"active"`
	Previous  bool      `json:"previous"`
	Signed    bool      `json:"signed"`
	CreatedAt time.Time `json:"created_at"`
}

// manifestKey is the manifests bucket key; manifest names cannot contain
// '/', so the key is unambiguous and sorts by name, then version.
func manifestKey(name, version string) []byte { return []byte(name + "/" + version) }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PutModel stores a model version and its blob in one transaction. It checks
// that the manifest is well formed and that the blob's sha256 and length
// equal the manifest's; it does not check the signature (see package
// install). Storing the same name, version and sha256 again is a no-op;
// the same name and version with another sha256 fails with ErrConflict.
// Re-importing a version whose stored blob was damaged repairs the blob.
func (s *Store) PutModel(signed manifest.Signed, blob []byte) error {
	m := &signed.Manifest
	if err := m.Validate(); err != nil {
		return fmt.Errorf("put model: %w: %w", ErrInvalid, err)
	}
	what := m.Name + "/" + m.Version
	if int64(len(blob)) != m.Size {
		return fmt.Errorf("put model %s: %w: blob is %d bytes, manifest says %d", what, ErrInvalid, len(blob), m.Size)
	}
	if got := sha256Hex(blob); got != m.SHA256 {
		return fmt.Errorf("put model %s: %w: blob sha256 %s, manifest says %s", what, ErrInvalid, got, m.SHA256)
	}
	doc, err := json.Marshal(signed)
	if err != nil {
		return fmt.Errorf("put model %s: encode manifest: %w", what, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		manifests := tx.Bucket(bucketManifests)
		if old := manifests.Get(manifestKey(m.Name, m.Version)); old != nil {
			prev, err := decodeSigned(old)
			if err != nil {
				return err
			}
			if prev.Manifest.SHA256 != m.SHA256 {
				return fmt.Errorf("%w: version already stored with sha256 %s, this one has %s", ErrConflict, prev.Manifest.SHA256, m.SHA256)
			}
			// Same content: keep the stored manifest, but still
			// repair the blob below if it was damaged.
			return putBlob(tx, m.SHA256, blob)
		}
		if err := putBlob(tx, m.SHA256, blob); err != nil {
			return err
		}
		return manifests.Put(manifestKey(m.Name, m.Version), doc)
	})
	if err != nil {
		return fmt.Errorf("put model %s: %w", what, err)
	}
	return nil
}

// putBlob writes blob (whose sha256 the caller checked) unless an intact
// copy is already stored; a damaged copy is replaced by the good bytes.
func putBlob(tx *bolt.Tx, sum string, blob []byte) error {
	blobs := tx.Bucket(bucketBlobs)
	if old := blobs.Get([]byte(sum)); old != nil && sha256Hex(old) == sum {
		return nil
	}
	if err := blobs.Put([]byte(sum), blob); err != nil {
		return fmt.Errorf("write blob %s: %w", sum, err)
	}
	return nil
}

// Get returns a stored version's signed manifest and a copy of its blob.
func (s *Store) Get(name, version string) (manifest.Signed, []byte, error) {
	var signed manifest.Signed
	var blob []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		signed, blob, err = getModel(tx, name, version, false)
		return err
	})
	if err != nil {
		return manifest.Signed{}, nil, fmt.Errorf("get %s/%s: %w", name, version, err)
	}
	return signed, blob, nil
}

// Manifest returns a stored version's signed manifest without its blob.
func (s *Store) Manifest(name, version string) (manifest.Signed, error) {
	var signed manifest.Signed
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketManifests).Get(manifestKey(name, version))
		if v == nil {
			return ErrNotFound
		}
		var err error
		signed, err = decodeSigned(v)
		return err
	})
	if err != nil {
		return manifest.Signed{}, fmt.Errorf("manifest %s/%s: %w", name, version, err)
	}
	return signed, nil
}

// Active returns the active version of a model, with a copy of its blob.
// It fails with ErrNotFound when the model has no active version.
func (s *Store) Active(name string) (manifest.Signed, []byte, error) {
	var signed manifest.Signed
	var blob []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := getPointer(tx, name)
		if err != nil {
			return err
		}
		signed, blob, err = getModel(tx, name, p.Active, false)
		return err
	})
	if err != nil {
		return manifest.Signed{}, nil, fmt.Errorf("active %s: %w", name, err)
	}
	return signed, blob, nil
}

// getModel reads a manifest and a copy of its blob. With verify it also
// recomputes the blob's sha256 (the invariant a pointer move relies on).
func getModel(tx *bolt.Tx, name, version string, verify bool) (manifest.Signed, []byte, error) {
	v := tx.Bucket(bucketManifests).Get(manifestKey(name, version))
	if v == nil {
		return manifest.Signed{}, nil, fmt.Errorf("version %s: %w", version, ErrNotFound)
	}
	signed, err := decodeSigned(v)
	if err != nil {
		return manifest.Signed{}, nil, err
	}
	sum := signed.Manifest.SHA256
	blob := tx.Bucket(bucketBlobs).Get([]byte(sum))
	if blob == nil {
		return manifest.Signed{}, nil, fmt.Errorf("%w: blob %s of %s/%s is missing", ErrCorrupt, sum, name, version)
	}
	if verify {
		if got := sha256Hex(blob); got != sum || int64(len(blob)) != signed.Manifest.Size {
			return manifest.Signed{}, nil, fmt.Errorf("%w: blob of %s/%s has sha256 %s and %d bytes, manifest says %s and %d", ErrCorrupt, name, version, got, len(blob), sum, signed.Manifest.Size)
		}
	}
	return signed, bytes.Clone(blob), nil
}

func decodeSigned(v []byte) (manifest.Signed, error) {
	var signed manifest.Signed
	if err := json.Unmarshal(v, &signed); err != nil {
		return manifest.Signed{}, fmt.Errorf("%w: stored manifest: %w", ErrCorrupt, err)
	}
	return signed, nil
}

// List returns every stored version, sorted by name then version, marked
// active or previous.
func (s *Store) List() ([]Entry, error) {
	var out []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		pointers := map[string]Pointer{}
		err := tx.Bucket(bucketPointers).ForEach(func(k, v []byte) error {
			p, err := decodePointer(v)
			if err != nil {
				return fmt.Errorf("pointer %s: %w", k, err)
			}
			pointers[string(k)] = p
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketManifests).ForEach(func(k, v []byte) error {
			signed, err := decodeSigned(v)
			if err != nil {
				return fmt.Errorf("manifest %s: %w", k, err)
			}
			m := signed.Manifest
			p := pointers[m.Name]
			out = append(out, Entry{
				Name: m.Name, Version: m.Version, SHA256: m.SHA256, Size: m.Size,
				Active: p.Active == m.Version, Previous: p.Previous == m.Version,
				Signed: signed.IsSigned(), CreatedAt: m.CreatedAt,
			})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	// bbolt's key order already sorts by name/version bytes; sort anyway
	// so the order does not depend on the key encoding.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

// Delete removes a version that is neither active nor previous, and its
// blob when no other version shares it. It fails with ErrInUse otherwise
// and ErrNotFound when the version is not stored.
func (s *Store) Delete(name, version string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		manifests := tx.Bucket(bucketManifests)
		key := manifestKey(name, version)
		v := manifests.Get(key)
		if v == nil {
			return ErrNotFound
		}
		signed, err := decodeSigned(v)
		if err != nil {
			return err
		}
		if p, err := getPointer(tx, name); err == nil && (p.Active == version || p.Previous == version) {
			return fmt.Errorf("%w: active %q, previous %q", ErrInUse, p.Active, p.Previous)
		}
		if err := manifests.Delete(key); err != nil {
			return err
		}
		shared := false
		err = manifests.ForEach(func(_, v []byte) error {
			other, err := decodeSigned(v)
			if err != nil {
				return err
			}
			shared = shared || other.Manifest.SHA256 == signed.Manifest.SHA256
			return nil
		})
		if err != nil || shared {
			return err
		}
		return tx.Bucket(bucketBlobs).Delete([]byte(signed.Manifest.SHA256))
	})
	if err != nil {
		return fmt.Errorf("delete %s/%s: %w", name, version, err)
	}
	return nil
}
