package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"--out", dir, "--seed", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny.tflite")); err != nil {
		t.Errorf("tiny.tflite not written: %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n != 4 {
		t.Errorf("printed %d paths, want 4:\n%s", n, out.String())
	}
	out.Reset()
	if err := run([]string{"--list"}, &out); err != nil || !strings.Contains(out.String(), "conv_int8.tflite") {
		t.Errorf("--list: %v\n%s", err, out.String())
	}
	if err := run(nil, &out); err == nil {
		t.Error("missing --out accepted")
	}
}
