// Package blob stores model files behind one small interface with two
// implementations: a local directory (the embedded default) and an S3 bucket
// (MinIO or any S3 API). Uploads are streamed and hashed on the way through;
// neither implementation holds a whole object in memory.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotFound reports that no object exists under a key.
var ErrNotFound = errors.New("blob not found")

// ErrNoPresign reports that a store cannot hand out direct download URLs;
// callers stream the object through themselves instead.
var ErrNoPresign = errors.New("store cannot presign URLs")

// ErrInvalidKey reports a key that is not a relative slash-separated path
// of safe segments.
var ErrInvalidKey = errors.New("invalid blob key")

// ErrSizeMismatch reports that an upload delivered a different number of
// bytes than announced.
var ErrSizeMismatch = errors.New("blob size mismatch")

// MaxKeyLen bounds keys; S3 allows 1024 bytes.
const MaxKeyLen = 1024

// Info describes a stored object.
type Info struct {
	Key  string
	Size int64
	// SHA256 is the hex digest of the content. Put always fills it; Stat
	// leaves it empty because stores do not keep it separately.
	SHA256 string
}

// Store keeps immutable-by-convention objects under slash-separated keys
// such as "models/person/3/<sha256>.tflite".
type Store interface {
	// Put streams r to key, replacing any object there. size is the exact
	// byte count, or -1 when unknown. A short or long body fails with
	// ErrSizeMismatch and leaves no object behind.
	Put(ctx context.Context, key string, r io.Reader, size int64) (Info, error)
	// Open returns the object's content; the caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat returns the object's size without reading it.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting a missing key succeeds.
	Delete(ctx context.Context, key string) error
	// PresignGet returns a URL that downloads key without credentials for
	// ttl, or ErrNoPresign.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Ping checks that the store is reachable and usable.
	Ping(ctx context.Context) error
	// String names the backend for logs, e.g. "local directory /data/blobs".
	String() string
}

// ValidateKey checks that key is a relative path of non-empty segments made
// of [A-Za-z0-9._-], none of them "." or "..", so it maps safely onto both
// a file system and an S3 bucket.
func ValidateKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: key %q: length %d, want 1..%d", ErrInvalidKey, key, len(key), MaxKeyLen)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: key %q: empty, '.' or '..' segment", ErrInvalidKey, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return fmt.Errorf("%w: key %q: character %q not allowed", ErrInvalidKey, key, c)
			}
		}
	}
	return nil
}
