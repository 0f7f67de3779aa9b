package install

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Config sets what an Installer trusts.
type Config struct {
	// Trusted are the keys manifests must be signed with.
	Trusted []manifest.PublicKey
	// AllowUnsigned lets unsigned manifests through (development only);
	// every such use is logged as a warning.
	AllowUnsigned bool
	// Logger receives warnings and installs; nil uses slog.Default().
	Logger *slog.Logger
}

// Installer applies Verify on every path that changes what may run: import,
// activate and rollback.
type Installer struct {
	store *store.Store
	cfg   Config
	log   *slog.Logger
}

// New returns an Installer over st.
func New(st *store.Store, cfg Config) *Installer {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Installer{store: st, cfg: cfg, log: log}
}

// Store returns the underlying store.
func (in *Installer) Store() *store.Store { return in.store }

func (in *Installer) verify(ctx context.Context, blob []byte, signed manifest.Signed) error {
	if err := Verify(ctx, blob, signed, in.cfg.Trusted, in.cfg.AllowUnsigned); err != nil {
		return err
	}
	if !signed.IsSigned() {
		in.log.Warn("accepting an UNSIGNED model because unsigned models are allowed (development only)",
			"model", signed.Manifest.Name, "version", signed.Manifest.Version)
	}
	return nil
}

// Import verifies blob against signed and stores it; with activate it then
// makes it the active version.
func (in *Installer) Import(ctx context.Context, blob []byte, signed manifest.Signed, activate bool) error {
	m := signed.Manifest
	if err := in.verify(ctx, blob, signed); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if err := in.store.PutModel(signed, blob); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	in.log.Info("model imported", "model", m.Name, "version", m.Version, "sha256", m.SHA256, "size", m.Size)
	if !activate {
		return nil
	}
	return in.Activate(ctx, m.Name, m.Version)
}

// Activate re-reads a stored version, verifies it again (signature against
// the current trusted keys, checksum, I/O signature, probe) and only then
// makes it active.
func (in *Installer) Activate(ctx context.Context, name, version string) error {
	signed, blob, err := in.store.Get(name, version)
	if err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	if err := in.verify(ctx, blob, signed); err != nil {
		return fmt.Errorf("activate: %w", err)
	}
	if err := in.store.Activate(name, version); err != nil {
		return err
	}
	in.log.Info("model activated", "model", name, "version", version)
	return nil
}

// Rollback makes the previous version active again, after verifying it as
// Activate does, and returns the new pointer.
func (in *Installer) Rollback(ctx context.Context, name string) (store.Pointer, error) {
	p, err := in.store.Pointer(name)
	if err != nil {
		return store.Pointer{}, fmt.Errorf("rollback: %w", err)
	}
	if p.Previous == "" {
		return store.Pointer{}, fmt.Errorf("rollback %s (active %s): no previous version: %w", name, p.Active, store.ErrNotFound)
	}
	// Activating the verified previous version is the swap, and names the
	// exact version that was checked even if the pointer moved meanwhile.
	if err := in.Activate(ctx, name, p.Previous); err != nil {
		return store.Pointer{}, fmt.Errorf("rollback: %w", err)
	}
	return in.store.Pointer(name)
}

// List returns every stored version.
func (in *Installer) List() ([]store.Entry, error) { return in.store.List() }

// LoadTrustedKeys reads --trusted-key files: each holds the body of the
// control plane's GET /api/v1/signing-key (one key, or an array of keys).
func LoadTrustedKeys(paths []string) ([]manifest.PublicKey, error) {
	var keys []manifest.PublicKey
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("trusted key: %w", err)
		}
		ks, err := manifest.ParsePublicKeys(data)
		if err != nil {
			return nil, fmt.Errorf("trusted key %s: %w", p, err)
		}
		keys = append(keys, ks...)
	}
	return keys, nil
}
