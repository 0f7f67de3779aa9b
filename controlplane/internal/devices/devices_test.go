package devices

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/edgefleet/edgefleet/controlplane/internal/labels"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
)

func newRegistry(t *testing.T) *Registry {
	db, err := meta.Open(filepath.Join(t.TempDir(), "m.db"), Bucket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewRegistry(db)
}

func ptr(s string) *string { return &s }

func TestEnrollAuthenticateRevoke(t *testing.T) {
	r := newRegistry(t)
	ctx := context.Background()
	d, cred, err := r.Enroll(ctx, "cam-1", map[string]string{"site": "berlin"})
	if err != nil || d.ID != "cam-1" || cred == "" {
		t.Fatalf("Enroll: %+v %v", d, err)
	}
	if _, _, err := r.Enroll(ctx, "cam-1", nil); !errors.Is(err, ErrExists) {
		t.Fatalf("second enroll: %v", err)
	}
	for _, tc := range []struct {
		id, cred string
		want     error
	}{
		{"cam-1", cred, nil},
		{"cam-1", cred + "x", ErrBadLogin},
		{"cam-2", cred, ErrBadLogin},
		{"cam-1", "", ErrBadLogin},
	} {
		if err := r.Authenticate(ctx, tc.id, tc.cred); !errors.Is(err, tc.want) {
			t.Errorf("Authenticate(%s, %q) = %v, want %v", tc.id, tc.cred, err, tc.want)
		}
	}
	if _, err := r.Revoke(ctx, "cam-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.Authenticate(ctx, "cam-1", cred); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked device: %v", err)
	}
	for _, bad := range []string{"", "a/b", "+"} {
		if _, _, err := r.Enroll(ctx, bad, nil); err == nil {
			t.Errorf("Enroll(%q) accepted", bad)
		}
	}
	if _, _, err := r.Enroll(ctx, "x", map[string]string{"bad key": "v"}); err == nil {
		t.Error("bad label accepted")
	}
}

func TestListSelectorAndRelabel(t *testing.T) {
	r := newRegistry(t)
	ctx := context.Background()
	for id, set := range map[string]map[string]string{
		"a": {"site": "berlin", "tier": "prod"},
		"b": {"site": "berlin", "tier": "lab"},
		"c": {"site": "paris"},
	} {
		if _, _, err := r.Enroll(ctx, id, set); err != nil {
			t.Fatal(err)
		}
	}
	sel, _ := labels.Parse("site=berlin,tier!=lab")
	got, next, err := r.List(ctx, sel, meta.Page{})
	if err != nil || len(got) != 1 || got[0].ID != "a" || next != "" {
		t.Fatalf("List: %+v %q %v", got, next, err)
	}
	all, next, err := r.List(ctx, labels.Selector{}, meta.Page{Limit: 2})
	if err != nil || len(all) != 2 || next == "" {
		t.Fatalf("page 1: %+v %q %v", all, next, err)
	}
	rest, next, err := r.List(ctx, labels.Selector{}, meta.Page{Limit: 2, Token: next})
	if err != nil || len(rest) != 1 || rest[0].ID != "c" || next != "" {
		t.Fatalf("page 2: %+v %q %v", rest, next, err)
	}
	d, err := r.Relabel(ctx, "b", map[string]*string{"tier": nil, "room": ptr("3")})
	if err != nil || labels.Format(d.Labels) != "room=3,site=berlin" {
		t.Fatalf("Relabel: %+v %v", d, err)
	}
	if _, err := r.Relabel(ctx, "b", map[string]*string{"x": ptr("a b")}); err == nil {
		t.Fatal("bad label value accepted")
	}
	if _, err := r.Relabel(ctx, "zz", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Relabel missing: %v", err)
	}
}

func TestVersionUsers(t *testing.T) {
	r := newRegistry(t)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if _, _, err := r.Enroll(ctx, id, nil); err != nil {
			t.Fatal(err)
		}
	}
	m := ModelRef{Model: "person", Version: "3"}
	_ = r.Record(ctx, "a", Report{Active: &m})
	_ = r.Record(ctx, "b", Report{Installed: []ModelRef{m}, Presence: "online"})
	_ = r.Record(ctx, "c", Report{Installed: []ModelRef{{Model: "person", Version: "2"}}})
	users, err := r.VersionUsers(ctx, "person", "3")
	if err != nil || len(users) != 2 {
		t.Fatalf("VersionUsers: %v %v", users, err)
	}
	d, _ := r.Get(ctx, "b")
	if d.Presence != "online" || d.LastSeen == nil {
		t.Fatalf("report not recorded: %+v", d)
	}
	if _, err := r.Revoke(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if users, _ := r.VersionUsers(ctx, "person", "3"); len(users) != 1 {
		t.Fatalf("revoked device still counted: %v", users)
	}
}
