package modelgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), filepath.Join(t.TempDir(), "nested", "dir")
	pa, err := Write(a, 7)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := Write(b, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(pa) != len(Specs()) || len(pb) != len(pa) {
		t.Fatalf("wrote %d and %d files, want %d", len(pa), len(pb), len(Specs()))
	}
	for i := range pa {
		da, err := os.ReadFile(pa[i])
		if err != nil {
			t.Fatal(err)
		}
		db, err := os.ReadFile(pb[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between two runs with the same seed", filepath.Base(pa[i]))
		}
		if string(da[4:8]) != "TFL3" {
			t.Errorf("%s has no TFL3 identifier", filepath.Base(pa[i]))
		}
	}
	pc, err := Write(t.TempDir(), 8)
	if err != nil {
		t.Fatal(err)
	}
	da, _ := os.ReadFile(pa[0])
	dc, _ := os.ReadFile(pc[0])
	if bytes.Equal(da, dc) {
		t.Error("seeds 7 and 8 gave the same tiny model")
	}
}

func TestWriteErrors(t *testing.T) {
	if _, err := Write("", 1); err == nil {
		t.Error("empty directory accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(filepath.Join(file, "sub"), 1); err == nil {
		t.Error("directory under a regular file accepted")
	}
}
