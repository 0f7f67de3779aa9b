package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
)

func newStore(t *testing.T) *Store {
	db, err := meta.Open(filepath.Join(t.TempDir(), "m.db"), Bucket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewStore(db)
}

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		have, need Role
		ok         bool
	}{
		{Admin, Admin, true}, {Admin, Viewer, true}, {Operator, Operator, true},
		{Operator, Admin, false}, {Viewer, Operator, false}, {Viewer, Viewer, true},
		{Role("root"), Viewer, false}, {Admin, Role("x"), false},
	} {
		if got := tc.have.Allows(tc.need); got != tc.ok {
			t.Errorf("%s allows %s = %v", tc.have, tc.need, got)
		}
	}
	if _, err := ParseRole("superuser"); err == nil {
		t.Fatal("bad role parsed")
	}
}

func TestTokenLifecycle(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	tok, secret, err := s.Create(ctx, "ci", Operator)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Role != Operator {
		t.Fatalf("Authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", "nope", "eft_", "eft_" + tok.ID + "_wrong", secret + "x", "eft_ffffffffffff_x"} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("Authenticate(%q): %v", bad, err)
		}
	}
	if _, err := s.Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("revoked token accepted: %v", err)
	}
	if _, err := s.Revoke(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke missing: %v", err)
	}
	list, next, err := s.List(ctx, meta.Page{})
	if err != nil || len(list) != 1 || next != "" || list[0].RevokedAt == nil {
		t.Fatalf("List: %+v %q %v", list, next, err)
	}
	if _, _, err := s.Create(ctx, "x", Role("root")); err == nil {
		t.Fatal("bad role accepted")
	}
}

func TestBootstrap(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "admin.token")
	did, err := s.Bootstrap(ctx, path)
	if err != nil || !did {
		t.Fatalf("first Bootstrap: %v %v", did, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token mode %v %v", st.Mode(), err)
	}
	raw, _ := os.ReadFile(path)
	tok, err := s.Authenticate(ctx, strings.TrimSpace(string(raw)))
	if err != nil || tok.Role != Admin {
		t.Fatalf("bootstrap token: %+v %v", tok, err)
	}
	if did, err := s.Bootstrap(ctx, path); did || err != nil {
		t.Fatalf("second Bootstrap with the file present: %v %v", did, err)
	}

	// A crash between the token and the file (or a lost file) while only
	// the bootstrap token exists: a new one is issued, the old one revoked.
	os.Remove(path)
	if did, err := s.Bootstrap(ctx, path); !did || err != nil {
		t.Fatalf("Bootstrap after losing the file: %v %v", did, err)
	}
	if _, err := s.Authenticate(ctx, strings.TrimSpace(string(raw))); err == nil {
		t.Fatal("the lost bootstrap token still works")
	}
	raw, _ = os.ReadFile(path)
	if _, err := s.Authenticate(ctx, strings.TrimSpace(string(raw))); err != nil {
		t.Fatalf("re-issued token: %v", err)
	}

	// Once operators have their own tokens, a missing file changes nothing.
	if _, _, err := s.Create(ctx, "ci", Operator); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if did, err := s.Bootstrap(ctx, path); did || err != nil {
		t.Fatalf("Bootstrap with real tokens present: %v %v", did, err)
	}
}
