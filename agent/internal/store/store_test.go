package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

// fakeModel returns a blob and an (unsigned) manifest naming it; the store
// checks integrity only, so the bytes need not be a real model.
func fakeModel(name, version string, content string) (manifest.Signed, []byte) {
	blob := []byte("model:" + content)
	sum := sha256.Sum256(blob)
	return manifest.Signed{Manifest: manifest.Manifest{
		Name: name, Version: version, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(blob)),
		Inputs:    []manifest.TensorSpec{{Name: "in", DType: "int8", Shape: []int{1, 8}}},
		Outputs:   []manifest.TensorSpec{{Name: "out", DType: "int8", Shape: []int{1, 4}}},
		CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}}, blob
}

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), FileName), Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustPut(t *testing.T, s *Store, name, version, content string) manifest.Signed {
	t.Helper()
	signed, blob := fakeModel(name, version, content)
	if err := s.PutModel(signed, blob); err != nil {
		t.Fatal(err)
	}
	return signed
}

func mustCheck(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func TestPutModelGet(t *testing.T) {
	s := openTemp(t)
	signed, blob := fakeModel("person", "1", "one")
	if err := s.PutModel(signed, blob); err != nil {
		t.Fatal(err)
	}
	// Identical content again is a no-op.
	if err := s.PutModel(signed, blob); err != nil {
		t.Fatalf("idempotent put: %v", err)
	}
	got, gotBlob, err := s.Get("person", "1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Manifest.SHA256 != signed.Manifest.SHA256 || !bytes.Equal(gotBlob, blob) {
		t.Fatalf("Get = %+v %q", got.Manifest, gotBlob)
	}
	if !got.Manifest.CreatedAt.Equal(signed.Manifest.CreatedAt) {
		t.Fatalf("created_at %v, want %v", got.Manifest.CreatedAt, signed.Manifest.CreatedAt)
	}
	mustCheck(t, s)
}

func TestPutModelRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *manifest.Signed, blob *[]byte)
		want   error
	}{
		{"sha mismatch", func(s *manifest.Signed, b *[]byte) { *b = append([]byte(nil), (*b)...); (*b)[0] ^= 1 }, ErrInvalid},
		{"size mismatch", func(s *manifest.Signed, b *[]byte) { s.Manifest.Size++ }, ErrInvalid},
		{"bad name", func(s *manifest.Signed, b *[]byte) { s.Manifest.Name = "a/b" }, ErrInvalid},
		{"same version other content", func(s *manifest.Signed, b *[]byte) { *s, *b = fakeModel("person", "1", "other") }, ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			mustPut(t, s, "person", "1", "one")
			signed, blob := fakeModel("person", "2", "two")
			tc.mutate(&signed, &blob)
			if err := s.PutModel(signed, blob); !errors.Is(err, tc.want) {
				t.Fatalf("PutModel = %v, want %v", err, tc.want)
			}
			mustCheck(t, s)
		})
	}
}

func TestActivateRollback(t *testing.T) {
	s := openTemp(t)
	for _, v := range []string{"1", "2", "3"} {
		mustPut(t, s, "person", v, "content "+v)
	}
	if _, _, err := s.Active("person"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Active before activation = %v, want ErrNotFound", err)
	}
	if err := s.Activate("person", "9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Activate missing = %v, want ErrNotFound", err)
	}
	steps := []struct {
		op       string // "activate V" or "rollback"
		want     Pointer
		wantErr  error
		wantBlob string
	}{
		{op: "rollback", wantErr: ErrNotFound},
		{op: "activate 1", want: Pointer{Active: "1"}},
		{op: "rollback", want: Pointer{Active: "1"}, wantErr: ErrNotFound},
		{op: "activate 2", want: Pointer{Active: "2", Previous: "1"}},
		{op: "activate 2", want: Pointer{Active: "2", Previous: "1"}},
		{op: "activate 3", want: Pointer{Active: "3", Previous: "2"}},
		{op: "rollback", want: Pointer{Active: "2", Previous: "3"}},
		{op: "rollback", want: Pointer{Active: "3", Previous: "2"}},
		{op: "activate 1", want: Pointer{Active: "1", Previous: "3"}},
	}
	for i, st := range steps {
		var err error
		if st.op == "rollback" {
			_, err = s.Rollback("person")
		} else {
			err = s.Activate("person", st.op[len("activate "):])
		}
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("step %d %s: err %v, want %v", i, st.op, err, st.wantErr)
		}
		if st.want.Active == "" {
			continue
		}
		p, err := s.Pointer("person")
		if err != nil || p != st.want {
			t.Fatalf("step %d %s: pointer %+v (%v), want %+v", i, st.op, p, err, st.want)
		}
		signed, blob, err := s.Active("person")
		if err != nil || signed.Manifest.Version != st.want.Active || string(blob) != "model:content "+st.want.Active {
			t.Fatalf("step %d %s: Active = %s %q %v", i, st.op, signed.Manifest.Version, blob, err)
		}
		mustCheck(t, s)
	}
}

func TestListAndDelete(t *testing.T) {
	s := openTemp(t)
	for _, v := range []string{"1", "2", "3"} {
		mustPut(t, s, "person", v, "content "+v)
	}
	// Version 4 shares version 3's bytes: one blob, two manifests.
	mustPut(t, s, "person", "4", "content 3")
	mustPut(t, s, "kws", "a", "kws")
	for _, v := range []string{"1", "2"} {
		if err := s.Activate("person", v); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, fmt.Sprintf("%s/%s a=%v p=%v", e.Name, e.Version, e.Active, e.Previous))
	}
	want := []string{"kws/a a=false p=false", "person/1 a=false p=true", "person/2 a=true p=false", "person/3 a=false p=false", "person/4 a=false p=false"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	for _, v := range []string{"1", "2"} {
		if err := s.Delete("person", v); !errors.Is(err, ErrInUse) {
			t.Fatalf("Delete %s = %v, want ErrInUse", v, err)
		}
	}
	if err := s.Delete("person", "7"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete missing = %v, want ErrNotFound", err)
	}
	if err := s.Delete("person", "3"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s) // the shared blob must survive for version 4
	if _, blob, err := s.Get("person", "4"); err != nil || string(blob) != "model:content 3" {
		t.Fatalf("Get 4 after deleting 3 = %q, %v", blob, err)
	}
	if err := s.Delete("person", "4"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s) // and now it must be gone (Check fails on orphan blobs)
}

func TestPersistsAcrossReopenAndLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "person", "1", "one")
	if err := s.Activate("person", "1"); err != nil {
		t.Fatal(err)
	}
	id, err := s.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if signed, _, err := s.Active("person"); err != nil || signed.Manifest.Version != "1" {
		t.Fatalf("Active after reopen = %v, %v", signed.Manifest.Version, err)
	}
	id2, err := s.Identity()
	if err != nil || id2.InstanceID != id.InstanceID || len(id.InstanceID) != 32 {
		t.Fatalf("identity %+v then %+v (%v)", id, id2, err)
	}
}

func TestCorruptBlobDetected(t *testing.T) {
	s := openTemp(t)
	signed := mustPut(t, s, "person", "1", "one")
	mustPut(t, s, "person", "2", "two")
	for _, v := range []string{"1", "2"} {
		if err := s.Activate("person", v); err != nil {
			t.Fatal(err)
		}
	}
	// Flip a byte of version 1's blob behind the store's back.
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlobs).Put([]byte(signed.Manifest.SHA256), []byte("model:onf"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check = %v, want ErrCorrupt", err)
	}
	if err := s.Activate("person", "1"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Activate corrupt = %v, want ErrCorrupt", err)
	}
	if _, err := s.Rollback("person"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Rollback to corrupt = %v, want ErrCorrupt", err)
	}
	if p, _ := s.Pointer("person"); p.Active != "2" {
		t.Fatalf("pointer moved to %+v after refused switch", p)
	}
	// Re-importing the good bytes repairs the blob.
	_, blob := fakeModel("person", "1", "one")
	if err := s.PutModel(signed, blob); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	if err := s.Activate("person", "1"); err != nil {
		t.Fatalf("Activate after repair: %v", err)
	}
}

func TestState(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetState("telemetry.seq"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetState missing = %v, want ErrNotFound", err)
	}
	for want := uint64(1); want <= 3; want++ {
		if n, err := s.NextSequence("telemetry.seq"); err != nil || n != want {
			t.Fatalf("NextSequence = %d, %v; want %d", n, err, want)
		}
	}
	if err := s.PutState("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutState("", []byte("v")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("PutState empty key = %v, want ErrInvalid", err)
	}
	boom := errors.New("boom")
	if err := s.UpdateState("k", func([]byte) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("UpdateState = %v, want boom", err)
	}
	if err := s.PutState("bad.seq", []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextSequence("bad.seq"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("NextSequence on 3-byte value = %v, want ErrCorrupt", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.NextSequence("telemetry.seq"); err != nil || n != 4 {
		t.Fatalf("NextSequence after reopen = %d, %v; want 4", n, err)
	}
	if v, err := s.GetState("k"); err != nil || string(v) != "v" {
		t.Fatalf("GetState = %q, %v", v, err)
	}
	if err := s.DeleteState("k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetState("k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetState deleted = %v, want ErrNotFound", err)
	}
}

func TestSchemaVersionMismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, []byte("99")) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := Open(path, Options{}); err == nil {
		t.Fatal("Open of a newer schema succeeded")
	}
}
