package install

import (
	"context"
	"fmt"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Admin is what the `models` commands need; Local implements it on the
// database directly (agent stopped) and Client through the running
// agent's local API, with the same checks either way.
type Admin interface {
	Import(ctx context.Context, blob, manifestJSON []byte, activate bool) (ImportResponse, error)
	List(ctx context.Context) (ListResponse, error)
	Activate(ctx context.Context, name, version string) (PointerResponse, error)
	Rollback(ctx context.Context, name string) (PointerResponse, error)
}

var (
	_ Admin = (*Local)(nil)
	_ Admin = (*Client)(nil)
)

// Local serves Admin from an Installer in this process.
type Local struct {
	Installer *Installer
}

// Import decodes the manifest document and imports.
func (l *Local) Import(ctx context.Context, blob, manifestJSON []byte, activate bool) (ImportResponse, error) {
	signed, err := manifest.Decode(manifestJSON)
	if err != nil {
		return ImportResponse{}, fmt.Errorf("import: %w", err)
	}
	if err := l.Installer.Import(ctx, blob, signed, activate); err != nil {
		return ImportResponse{}, err
	}
	m := signed.Manifest
	return ImportResponse{Name: m.Name, Version: m.Version, SHA256: m.SHA256, Size: m.Size, Activated: activate}, nil
}

// List lists every stored version.
func (l *Local) List(context.Context) (ListResponse, error) {
	entries, err := l.Installer.List()
	return ListResponse{Models: entries}, err
}

// Activate verifies and activates.
func (l *Local) Activate(ctx context.Context, name, version string) (PointerResponse, error) {
	if err := l.Installer.Activate(ctx, name, version); err != nil {
		return PointerResponse{}, err
	}
	return l.pointer(name)
}

// Rollback verifies the previous version and swaps back to it.
func (l *Local) Rollback(ctx context.Context, name string) (PointerResponse, error) {
	p, err := l.Installer.Rollback(ctx, name)
	if err != nil {
		return PointerResponse{}, err
	}
	return PointerResponse{Name: name, Active: p.Active, Previous: p.Previous}, nil
}

func (l *Local) pointer(name string) (PointerResponse, error) {
	p, err := l.Installer.Store().Pointer(name)
	if err != nil {
		return PointerResponse{}, err
	}
	return PointerResponse{Name: name, Active: p.Active, Previous: p.Previous}, nil
}
