// Package registry is the model registry: immutable model versions whose
// files live in a blob.Store and whose metadata and signed manifests live
// in the metadata database.
package registry

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Buckets the registry owns in the metadata database.
const (
	ModelsBucket   = "models"
	VersionsBucket = "versions"
)

// DefaultMaxModelBytes bounds an upload unless configured otherwise.
const DefaultMaxModelBytes int64 = 1 << 30

// Errors callers map to API responses.
var (
	ErrNotFound = meta.ErrNotFound
	// ErrConflict: the version exists with different content.
	ErrConflict = errors.New("version exists with different content")
	// ErrTooLarge: the upload exceeds the size limit.
	ErrTooLarge = errors.New("model too large")
	// ErrEmpty: the upload has no bytes.
	ErrEmpty = errors.New("model file is empty")
	// ErrInvalidName: a model name or version breaks the naming rules.
	ErrInvalidName = errors.New("invalid name")
	// ErrInUse: a device or rollout still uses the version.
	ErrInUse = errors.New("version in use")
)

// InUseError lists who still uses a version.
type InUseError struct{ Users []string }

func (e *InUseError) Error() string {
	return "version in use by " + strings.Join(e.Users, ", ")
}

// Unwrap lets errors.Is match ErrInUse.
func (e *InUseError) Unwrap() error { return ErrInUse }

// UsageFunc reports who uses a model version (devices, rollouts); Delete
// refuses while any UsageFunc names someone.
type UsageFunc func(ctx context.Context, name, version string) ([]string, error)

// Op is one operator of a model version.
type Op struct {
	Index   int    `json:"index"`
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Version is one published model version.
type Version struct {
	Model      string                `json:"model"`
	Version    string                `json:"version"`
	SHA256     string                `json:"sha256"`
	Size       int64                 `json:"size"`
	Inputs     []manifest.TensorSpec `json:"inputs"`
	Outputs    []manifest.TensorSpec `json:"outputs"`
	Ops        []Op                  `json:"ops"`
	ArenaBytes int64                 `json:"arena_bytes"`
	CreatedAt  time.Time             `json:"created_at"`
	BlobKey    string                `json:"blob_key"`
}

// Model summarises a model's versions.
type Model struct {
	Name          string    `json:"name"`
	Versions      int       `json:"versions"`
	LatestVersion string    `json:"latest_version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// storedVersion is the database record: the version and its manifest.
type storedVersion struct {
	Info   Version         `json:"info"`
	Signed manifest.Signed `json:"signed"`
}

// Config assembles a Registry.
type Config struct {
	DB      *meta.DB
	Blobs   blob.Store
	Key     ed25519.PrivateKey
	TempDir string // uploads are staged here, never in memory
	// MaxModelBytes bounds uploads; 0 means DefaultMaxModelBytes.
	MaxModelBytes int64
	// Users are consulted before a version is deleted.
	Users  []UsageFunc
	Logger *slog.Logger
}

// Registry publishes, lists, serves and deletes model versions.
type Registry struct {
	db    *bolt.DB
	blobs blob.Store
	key   ed25519.PrivateKey
	tmp   string
	max   int64
	users []UsageFunc
	log   *slog.Logger
	now   func() time.Time
}

// New returns a registry; the buckets must exist in cfg.DB.
func New(cfg Config) (*Registry, error) {
	if cfg.DB == nil || cfg.Blobs == nil || len(cfg.Key) != ed25519.PrivateKeySize || cfg.TempDir == "" {
		return nil, errors.New("registry: DB, Blobs, an ed25519 Key and TempDir are required")
	}
	if cfg.MaxModelBytes <= 0 {
		cfg.MaxModelBytes = DefaultMaxModelBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Registry{
		db: cfg.DB.Bolt(), blobs: cfg.Blobs, key: cfg.Key, tmp: cfg.TempDir,
		max: cfg.MaxModelBytes, users: cfg.Users, log: cfg.Logger, now: time.Now,
	}, nil
}

// MaxModelBytes is the upload limit.
func (r *Registry) MaxModelBytes() int64 { return r.max }

// ValidateName checks a model name or version (field says which) against
// the manifest's naming rules, since both become manifest fields, URL
// segments and blob key segments: 1 to manifest.MaxNameLen bytes of ASCII
// letters, digits, '.', '_' and '-', not starting with '.'.
func ValidateName(field, s string) error {
	if s == "" || len(s) > manifest.MaxNameLen {
		return fmt.Errorf("%w: %s %q: length %d, want 1..%d", ErrInvalidName, field, s, len(s), manifest.MaxNameLen)
	}
	if s[0] == '.' {
		return fmt.Errorf("%w: %s %q starts with '.'", ErrInvalidName, field, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: %s %q has %q at %d; allowed are letters, digits, '.', '_' and '-'", ErrInvalidName, field, s, c, i)
		}
	}
	return nil
}

func versionKey(name, version string) string { return name + "/" + version }

// Get returns one version.
func (r *Registry) Get(_ context.Context, name, version string) (Version, error) {
	st, err := r.load(name, version)
	return st.Info, err
}

// Manifest returns a version's signed manifest.
func (r *Registry) Manifest(_ context.Context, name, version string) (manifest.Signed, error) {
	st, err := r.load(name, version)
	return st.Signed, err
}

func (r *Registry) load(name, version string) (storedVersion, error) {
	var st storedVersion
	err := r.db.View(func(tx *bolt.Tx) error {
		return meta.Get(tx.Bucket([]byte(VersionsBucket)), versionKey(name, version), &st)
	})
	if err != nil {
		return storedVersion{}, fmt.Errorf("registry: model version %w", err)
	}
	return st, nil
}

// ListModels returns one page of models in name order.
func (r *Registry) ListModels(_ context.Context, page meta.Page) ([]Model, string, error) {
	out := []Model{}
	var next string
	err := r.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(ModelsBucket))
		var err error
		next, err = meta.Scan(b, "", page, func(k, _ []byte) (bool, error) {
			var m Model
			if err := meta.Get(b, string(k), &m); err != nil {
				return false, err
			}
			out = append(out, m)
			return true, nil
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("registry: list models: %w", err)
	}
	return out, next, nil
}

// GetModel returns one model's summary.
func (r *Registry) GetModel(_ context.Context, name string) (Model, error) {
	var m Model
	err := r.db.View(func(tx *bolt.Tx) error { return meta.Get(tx.Bucket([]byte(ModelsBucket)), name, &m) })
	if err != nil {
		return Model{}, fmt.Errorf("registry: model %w", err)
	}
	return m, nil
}

// ListVersions returns one page of a model's versions in version-string
// order.
func (r *Registry) ListVersions(ctx context.Context, name string, page meta.Page) ([]Version, string, error) {
	if _, err := r.GetModel(ctx, name); err != nil {
		return nil, "", err
	}
	out := []Version{}
	var next string
	err := r.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(VersionsBucket))
		var err error
		next, err = meta.Scan(b, name+"/", page, func(k, _ []byte) (bool, error) {
			var st storedVersion
			if err := meta.Get(b, string(k), &st); err != nil {
				return false, err
			}
			out = append(out, st.Info)
			return true, nil
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("registry: list versions of %s: %w", name, err)
	}
	return out, next, nil
}
