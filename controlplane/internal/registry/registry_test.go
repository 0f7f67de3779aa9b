package registry

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/inspection"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

type fixture struct {
	reg   *Registry
	pub   ed25519.PublicKey
	users map[string][]string
	tmp   string
}

func newFixture(t *testing.T, max int64) *fixture {
	dir := t.TempDir()
	db, err := meta.Open(filepath.Join(dir, "m.db"), ModelsBucket, VersionsBucket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bs, err := blob.NewLocal(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(nil)
	f := &fixture{pub: pub, users: map[string][]string{}, tmp: filepath.Join(dir, "tmp")}
	f.reg, err = New(Config{DB: db, Blobs: bs, Key: key, TempDir: f.tmp, MaxModelBytes: max,
		Users: []UsageFunc{func(_ context.Context, n, v string) ([]string, error) { return f.users[n+"/"+v], nil }}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func model(t *testing.T, seed uint64) []byte {
	b, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPublishLifecycle(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	m1 := model(t, 1)
	v, created, err := f.reg.Publish(ctx, "person", "1", bytes.NewReader(m1))
	if err != nil || !created {
		t.Fatalf("Publish: %v %v", created, err)
	}
	if v.Size != int64(len(m1)) || len(v.Ops) != 2 || v.Ops[1].Name != "SOFTMAX" || v.Inputs[0].DType != "int8" {
		t.Fatalf("version %+v", v)
	}
	// Identical re-upload: idempotent.
	again, created, err := f.reg.Publish(ctx, "person", "1", bytes.NewReader(m1))
	if err != nil || created || again.SHA256 != v.SHA256 || !again.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("re-upload: %+v %v %v", again, created, err)
	}
	// Different content, same version: conflict.
	if _, _, err := f.reg.Publish(ctx, "person", "1", bytes.NewReader(model(t, 2))); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflict: %v", err)
	}
	// The signed manifest verifies and describes the file.
	s, err := f.reg.Manifest(ctx, "person", "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify([]manifest.PublicKey{manifest.NewPublicKey(f.pub)}); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if s.Manifest.SHA256 != v.SHA256 || s.Manifest.Probe == nil || len(s.Manifest.Ops) != 2 {
		t.Fatalf("manifest %+v", s.Manifest)
	}
	// The stored file is the uploaded one.
	rc, _, err := f.reg.Open(ctx, "person", "1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, m1) {
		t.Fatal("stored file differs")
	}
	if _, err := f.reg.PresignBlob(ctx, "person", "1", 0); !errors.Is(err, blob.ErrNoPresign) {
		t.Fatalf("presign on local: %v", err)
	}
	// Listing.
	if _, _, err := f.reg.Publish(ctx, "person", "2", bytes.NewReader(model(t, 2))); err != nil {
		t.Fatal(err)
	}
	vs, next, err := f.reg.ListVersions(ctx, "person", meta.Page{Limit: 1})
	if err != nil || len(vs) != 1 || next == "" {
		t.Fatalf("ListVersions: %v %q %v", vs, next, err)
	}
	ms, _, err := f.reg.ListModels(ctx, meta.Page{})
	if err != nil || len(ms) != 1 || ms[0].Versions != 2 || ms[0].LatestVersion != "2" {
		t.Fatalf("ListModels: %+v %v", ms, err)
	}
	// Deletion is refused while in use, then allowed.
	f.users["person/2"] = []string{"device cam-1"}
	var inUse *InUseError
	if err := f.reg.Delete(ctx, "person", "2"); !errors.As(err, &inUse) || inUse.Users[0] != "device cam-1" {
		t.Fatalf("delete in use: %v", err)
	}
	delete(f.users, "person/2")
	if err := f.reg.Delete(ctx, "person", "2"); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.reg.GetModel(ctx, "person"); m.Versions != 1 || m.LatestVersion != "1" {
		t.Fatalf("model after delete %+v", m)
	}
	if err := f.reg.Delete(ctx, "person", "2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// After deletion the version may be published again with any content.
	if _, created, err := f.reg.Publish(ctx, "person", "2", bytes.NewReader(model(t, 3))); err != nil || !created {
		t.Fatalf("republish: %v %v", created, err)
	}
	if entries, _ := os.ReadDir(f.tmp); len(entries) != 0 {
		t.Fatalf("staging files left: %v", entries)
	}
}

func TestPublishRejects(t *testing.T) {
	f := newFixture(t, 4096)
	ctx := context.Background()
	for _, tc := range []struct {
		name, model, version string
		body                 []byte
		want                 error
	}{
		{"bad name", "a/b", "1", model(t, 1), ErrInvalidName},
		{"bad version", "m", "..", model(t, 1), ErrInvalidName},
		{"empty", "m", "1", nil, ErrEmpty},
		{"too large", "m", "1", make([]byte, 4097), ErrTooLarge},
		{"garbage", "m", "1", []byte("not a model"), inspection.ErrInvalid},
	} {
		if _, _, err := f.reg.Publish(ctx, tc.model, tc.version, bytes.NewReader(tc.body)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if ms, _, _ := f.reg.ListModels(ctx, meta.Page{}); len(ms) != 0 {
		t.Fatalf("rejected uploads left models: %+v", ms)
	}
}
