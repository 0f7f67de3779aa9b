// Package meta is the control plane's metadata database: one bbolt file
// whose buckets the registry, device and token packages own. It offers the
// small JSON and pagination helpers they share.
package meta

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrNotFound reports a missing record.
var ErrNotFound = errors.New("not found")

// ErrInvalidPageToken reports a page token this server did not issue.
var ErrInvalidPageToken = errors.New("invalid page token")

// DefaultLimit and MaxLimit bound list pages.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// DB is the open metadata database.
type DB struct {
	bolt *bolt.DB
	path string
}

// Open opens (creating 0600 if needed) the bbolt file at path and ensures
// the named buckets exist.
func Open(path string, buckets ...string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("meta: create directory for %s: %w", path, err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("meta: open %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("meta: init %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

// Bolt returns the underlying database for the packages owning buckets.
func (d *DB) Bolt() *bolt.DB { return d.bolt }

// Close closes the file.
func (d *DB) Close() error { return d.bolt.Close() }

// String names the backend for logs.
func (d *DB) String() string { return "bbolt file " + d.path }

// Ping checks that the database answers a read transaction.
func (d *DB) Ping() error {
	return d.bolt.View(func(*bolt.Tx) error { return nil })
}

// Get decodes the JSON record under key into v; ErrNotFound when absent.
func Get(b *bolt.Bucket, key string, v any) error {
	raw := b.Get([]byte(key))
	if raw == nil {
		return fmt.Errorf("%q: %w", key, ErrNotFound)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode record %q: %w", key, err)
	}
	return nil
}

// Put stores v as JSON under key.
func Put(b *bolt.Bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode record %q: %w", key, err)
	}
	return b.Put([]byte(key), raw)
}

// Page asks for one page of a list.
type Page struct {
	Limit int    // 0 means DefaultLimit
	Token string // opaque, from the previous page's NextToken
}

// limit returns the effective page size.
func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// Scan walks the keys of b that start with prefix in key order, beginning
// after the key encoded in page.Token, and calls keep for each record until
// a page is full. keep decodes the value and says whether the record
// belongs to the page (filters reject records without counting them). It
// returns the token of the next page, "" on the last one.
func Scan(b *bolt.Bucket, prefix string, page Page, keep func(k, v []byte) (bool, error)) (string, error) {
	c := b.Cursor()
	var k, v []byte
	if page.Token != "" {
		after, err := base64.RawURLEncoding.DecodeString(page.Token)
		if err != nil || len(after) < len(prefix) || string(after[:len(prefix)]) != prefix {
			return "", fmt.Errorf("%w: %q", ErrInvalidPageToken, page.Token)
		}
		k, v = c.Seek(after)
		if k != nil && string(k) == string(after) {
			k, v = c.Next()
		}
	} else {
		k, v = c.Seek([]byte(prefix))
	}
	n, limit := 0, page.limit()
	var last []byte
	for ; k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if n == limit {
			return base64.RawURLEncoding.EncodeToString(last), nil
		}
		ok, err := keep(k, v)
		if err != nil {
			return "", err
		}
		if ok {
			n++
			last = append(last[:0], k...)
		}
	}
	return "", nil
}

func hasPrefix(k []byte, prefix string) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == prefix
}
