package install

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func pointerOf(t *testing.T, st *store.Store, name string) store.Pointer {
	t.Helper()
	p, err := st.Pointer(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstallerLifecycle(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	in := New(st, Config{Trusted: trustedKeys(), Logger: discardLogger()})
	blob1, m1 := tinyModel(t, "tiny", "1", 1)
	blob2, m2 := tinyModel(t, "tiny", "2", 2)

	if err := in.Import(ctx, blob1, sign(t, m1), false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pointer("tiny"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("import without activate moved the pointer: %v", err)
	}
	if err := in.Activate(ctx, "tiny", "1"); err != nil {
		t.Fatal(err)
	}
	if err := in.Import(ctx, blob2, sign(t, m2), true); err != nil {
		t.Fatal(err)
	}
	if p := pointerOf(t, st, "tiny"); p != (store.Pointer{Active: "2", Previous: "1"}) {
		t.Fatalf("after import --activate: %+v", p)
	}
	p, err := in.Rollback(ctx, "tiny")
	if err != nil || p != (store.Pointer{Active: "1", Previous: "2"}) {
		t.Fatalf("Rollback = %+v, %v", p, err)
	}
	if err := in.Activate(ctx, "tiny", "9"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Activate unknown = %v, want ErrNotFound", err)
	}
	if _, err := in.Rollback(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Rollback unknown = %v, want ErrNotFound", err)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestInstallerRefusals(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	in := New(st, Config{Trusted: trustedKeys(), Logger: discardLogger()})
	blob, m := tinyModel(t, "tiny", "1", 1)

	bad := m
	bad.Probe = &manifest.Probe{Inputs: m.Probe.Inputs, OutputSHA256: strings.Repeat("e", 64)}
	if err := in.Import(ctx, blob, sign(t, bad), true); !errors.Is(err, ErrProbeMismatch) {
		t.Fatalf("Import with wrong probe = %v, want ErrProbeMismatch", err)
	}
	if err := in.Import(ctx, blob, manifest.Signed{Manifest: m}, true); !errors.Is(err, manifest.ErrUnsigned) {
		t.Fatalf("Import unsigned = %v, want ErrUnsigned", err)
	}
	if entries, err := in.List(); err != nil || len(entries) != 0 {
		t.Fatalf("refused imports left %d entries (%v)", len(entries), err)
	}

	// A version stored while its key was trusted cannot be activated once
	// the agent no longer trusts that key: activation re-verifies.
	if err := in.Import(ctx, blob, sign(t, m), false); err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	rotated := New(st, Config{Trusted: []manifest.PublicKey{manifest.NewPublicKey(other)}, Logger: discardLogger()})
	if err := rotated.Activate(ctx, "tiny", "1"); !errors.Is(err, manifest.ErrUnknownKey) {
		t.Fatalf("Activate after key rotation = %v, want ErrUnknownKey", err)
	}
	if _, err := st.Pointer("tiny"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused activation moved the pointer: %v", err)
	}
}

func TestInstallerUnsignedAllowedWarns(t *testing.T) {
	var logs bytes.Buffer
	st := openStore(t)
	in := New(st, Config{AllowUnsigned: true, Trusted: trustedKeys(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	blob, m := tinyModel(t, "tiny", "1", 1)
	if err := in.Import(context.Background(), blob, manifest.Signed{Manifest: m}, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "UNSIGNED") {
		t.Fatalf("no warning logged for the unsigned model:\n%s", logs.String())
	}
	// Allowing unsigned models does not let a bad signature through.
	s := sign(t, m)
	s.Manifest.Version = "2"
	if err := in.Import(context.Background(), blob, s, false); !errors.Is(err, manifest.ErrBadSignature) {
		t.Fatalf("Import tampered with AllowUnsigned = %v, want ErrBadSignature", err)
	}
}
