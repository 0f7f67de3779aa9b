// Package blobtest is the conformance suite every blob.Store implementation
// must pass; each implementation's test calls Run with a fresh store.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
)

// Run exercises store, which must be empty, through the blob.Store contract.
// presign says whether the implementation supports PresignGet.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store, presign bool) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("UnknownSize", func(t *testing.T) { testUnknownSize(t, newStore(t)) })
	t.Run("Large", func(t *testing.T) { testLarge(t, newStore(t)) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, newStore(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newStore(t)) })
	t.Run("SizeMismatch", func(t *testing.T) { testSizeMismatch(t, newStore(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, newStore(t)) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("Ping", func(t *testing.T) {
		if err := newStore(t).Ping(ctx(t)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Presign", func(t *testing.T) { testPresign(t, newStore(t), presign) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func data(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func digest(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, info, err := s.Open(ctx(t), key)
	if err != nil {
		t.Fatalf("Open(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if info.Size != int64(len(b)) {
		t.Fatalf("Open(%s) size %d, read %d", key, info.Size, len(b))
	}
	return b
}

func testRoundTrip(t *testing.T, s blob.Store) {
	for _, n := range []int{0, 1, 4096, 100_003} {
		key := fmt.Sprintf("models/m/%d/blob.tflite", n)
		want := data(n, uint64(n))
		info, err := s.Put(ctx(t), key, bytes.NewReader(want), int64(n))
		if err != nil {
			t.Fatalf("Put %d bytes: %v", n, err)
		}
		if info.Size != int64(n) || info.SHA256 != digest(want) || info.Key != key {
			t.Fatalf("Put info %+v, want size %d sha %s", info, n, digest(want))
		}
		if got := read(t, s, key); !bytes.Equal(got, want) {
			t.Fatalf("content of %s differs", key)
		}
		st, err := s.Stat(ctx(t), key)
		if err != nil || st.Size != int64(n) {
			t.Fatalf("Stat: %+v %v", st, err)
		}
		if err := s.Delete(ctx(t), key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Stat(ctx(t), key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Stat after delete: %v, want ErrNotFound", err)
		}
	}
}

// onlyReader hides every interface but io.Reader, as an HTTP body does.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func testUnknownSize(t *testing.T, s blob.Store) {
	want := data(70_000, 7)
	info, err := s.Put(ctx(t), "u/x", onlyReader{bytes.NewReader(want)}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(want)) || info.SHA256 != digest(want) {
		t.Fatalf("info %+v", info)
	}
	if !bytes.Equal(read(t, s, "u/x"), want) {
		t.Fatal("content differs")
	}
}

// testLarge crosses the S3 multipart threshold so part uploads are covered.
func testLarge(t *testing.T, s blob.Store) {
	const n = 40<<20 + 123
	want := data(n, 3)
	info, err := s.Put(ctx(t), "big/obj", onlyReader{bytes.NewReader(want)}, n)
	if err != nil {
		t.Fatal(err)
	}
	if info.SHA256 != digest(want) {
		t.Fatal("hash differs")
	}
	if got := read(t, s, "big/obj"); !bytes.Equal(got, want) {
		t.Fatal("content differs")
	}
}

func testMissing(t *testing.T, s blob.Store) {
	if _, _, err := s.Open(ctx(t), "no/such"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open: %v, want ErrNotFound", err)
	}
	if _, err := s.Stat(ctx(t), "no/such"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx(t), "no/such"); err != nil {
		t.Fatalf("Delete of missing key: %v, want nil", err)
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	for i, v := range []string{"first", "second, longer"} {
		if _, err := s.Put(ctx(t), "o/k", bytes.NewReader([]byte(v)), int64(len(v))); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if got := read(t, s, "o/k"); string(got) != "second, longer" {
		t.Fatalf("got %q", got)
	}
}

func testSizeMismatch(t *testing.T, s blob.Store) {
	for _, tc := range []struct {
		name      string
		body      int
		announced int64
	}{{"short", 10, 20}, {"long", 30, 20}} {
		key := "mismatch/" + tc.name
		_, err := s.Put(ctx(t), key, onlyReader{bytes.NewReader(data(tc.body, 1))}, tc.announced)
		if !errors.Is(err, blob.ErrSizeMismatch) {
			t.Fatalf("%s: err %v, want ErrSizeMismatch", tc.name, err)
		}
		if _, err := s.Stat(ctx(t), key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("%s: object left behind: %v", tc.name, err)
		}
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	for _, key := range []string{"", "/abs", "a//b", "../x", "a/../b", "a/./b", "sp ace", "a\\b", "trail/"} {
		if _, err := s.Put(ctx(t), key, bytes.NewReader(nil), 0); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := s.Open(ctx(t), key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q): %v, want ErrInvalidKey", key, err)
		}
	}
}

func testConcurrent(t *testing.T, s blob.Store) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := data(5000+i, uint64(i))
			key := fmt.Sprintf("c/%d", i)
			if _, err := s.Put(ctx(t), key, bytes.NewReader(b), int64(len(b))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range 8 {
		if !bytes.Equal(read(t, s, fmt.Sprintf("c/%d", i)), data(5000+i, uint64(i))) {
			t.Fatalf("object %d differs", i)
		}
	}
}

func testPresign(t *testing.T, s blob.Store, supported bool) {
	want := data(1000, 9)
	if _, err := s.Put(ctx(t), "p/obj", bytes.NewReader(want), int64(len(want))); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx(t), "p/obj", time.Minute)
	if !supported {
		if !errors.Is(err, blob.ErrNoPresign) {
			t.Fatalf("PresignGet: %v, want ErrNoPresign", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Fatalf("GET presigned: %d, %d bytes", resp.StatusCode, len(got))
	}
}
