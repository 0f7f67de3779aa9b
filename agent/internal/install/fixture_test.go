package install

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// testKey is a fixed signing key; trustedKeys trusts only it.
func testKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
}

func trustedKeys() []manifest.PublicKey {
	return []manifest.PublicKey{manifest.NewPublicKey(testKey().Public().(ed25519.PublicKey))}
}

// tinyModel returns builder.TinyClassifier(seed) and its unsigned manifest.
func tinyModel(t testing.TB, name, version string, seed uint64) ([]byte, manifest.Manifest) {
	t.Helper()
	blob, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewManifest(context.Background(), name, version, blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	return blob, m
}

func sign(t testing.TB, m manifest.Manifest) manifest.Signed {
	t.Helper()
	s, err := manifest.Sign(m, testKey())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// helperTB lets the crash child reuse the fixtures outside a testing.T; a
// fixture failure ends the child, which the parent reports.
type helperTB struct{ testing.TB }

func (helperTB) Helper() {}

func (helperTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, args...)
	os.Exit(3)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
