package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSkipReferencePrintsTable(t *testing.T) {
	model := filepath.Join("..", "..", "..", "..", "shared", "models", "hello_world_int8.tflite")
	if _, err := os.Stat(model); err != nil {
		t.Skipf("shared model not available: %v", err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--skip-reference", "-n", "3", "--rounds", "1", model}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "hello_world_int8") || !strings.Contains(out.String(), "ours ms") {
		t.Fatalf("output:\n%s", out.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--skip-reference", "-n", "0", "x.tflite"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "runs = 0") {
		t.Fatalf("stderr: %s", errOut.String())
	}
}
