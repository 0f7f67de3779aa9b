package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/agent/internal/install"
	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// TestLoaderEnforcesTrustAtStart: a version installed offline under a
// laxer policy (--allow-unsigned) is not served by an agent whose
// configuration does not allow it, and is served once it does.
func TestLoaderEnforcesTrustAtStart(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blob, err := builder.TinyClassifier(3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := install.NewManifest(ctx, "tiny", "1", blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := install.New(st, install.Config{AllowUnsigned: true}).Import(ctx, blob, manifest.Signed{Manifest: m}, true); err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(runtime.Options{PoolSize: 1, QueueLength: 1})
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	strict := &activeLoader{rt: rt, st: st, trusted: []manifest.PublicKey{manifest.NewPublicKey(pub)}}
	if err := strict.load("tiny"); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("strict load = %v, want a trust error", err)
	}
	lax := &activeLoader{rt: rt, st: st, allowUnsigned: true}
	if err := lax.load("tiny"); err != nil {
		t.Fatalf("allow_unsigned load: %v", err)
	}
}
