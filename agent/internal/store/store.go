package store

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// FileName is the database's name inside the agent's data directory.
const FileName = "agent.db"

// schemaVersion is the layout described in the package doc.
const schemaVersion = 1

var (
	bucketMeta      = []byte("meta")
	bucketBlobs     = []byte("blobs")
	bucketManifests = []byte("manifests")
	bucketPointers  = []byte("pointers")
	bucketState     = []byte("state")
	keySchema       = []byte("schema")
)

// Errors, matched with errors.Is.
var (
	// ErrNotFound: no such model, version, pointer or state key.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change contradicts what is stored (same name and
	// version with a different sha256).
	ErrConflict = errors.New("conflict")
	// ErrInUse: the version is active or previous and cannot be deleted.
	ErrInUse = errors.New("version in use")
	// ErrCorrupt: stored bytes no longer match their checksum, or the
	// invariants in the package doc do not hold.
	ErrCorrupt = errors.New("store corrupt")
	// ErrLocked: another process (normally the running agent) holds the
	// database.
	ErrLocked = errors.New("database locked by another process")
	// ErrInvalid: the argument is malformed (bad manifest, blob that does
	// not match its manifest).
	ErrInvalid = errors.New("invalid argument")
)

// Options configure Open.
type Options struct {
	// Timeout bounds the wait for the file lock; 0 waits forever. The CLI
	// uses a short one to detect a running agent.
	Timeout time.Duration
}

// Store is the agent database. Create it with Open; Close it when done.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating if needed) the database at path, typically
// filepath.Join(dataDir, FileName), and creates missing buckets.
func Open(path string, opts Options) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w (waited %s)", path, ErrLocked, opts.Timeout)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := db.Update(s.initBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) initBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketBlobs, bucketManifests, bucketPointers, bucketState} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchema); v != nil {
		got, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("%w: schema version %q is not a number", ErrCorrupt, v)
		}
		if got != schemaVersion {
			return fmt.Errorf("schema version %d, this agent reads version %d", got, schemaVersion)
		}
		return nil
	}
	return meta.Put(keySchema, []byte(strconv.Itoa(schemaVersion)))
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close releases the database and its file lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}
