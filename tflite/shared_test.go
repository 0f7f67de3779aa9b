package tflite_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// sharedModelsEnv names a shared/models folder to use instead of the one
// next to the repository, for test binaries run elsewhere (the Bochs
// guest of `make vnni-check`).
const sharedModelsEnv = "EDGEFLEET_SHARED_MODELS"

// sharedModels returns the shared/models folder next to the repository
// root (the folder holding go.work), or $EDGEFLEET_SHARED_MODELS. Without
// it the test is skipped, except in CI (CI=true), where the models must be
// present.
func sharedModels(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv(sharedModelsEnv); dir != "" {
		if !isDir(dir) {
			tb.Fatalf("%s=%s is not a folder", sharedModelsEnv, dir)
		}
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			dir = ""
			break
		}
		dir = parent
	}
	models := ""
	if dir != "" {
		models = filepath.Join(dir, "..", "shared", "models")
	}
	if models == "" || !isDir(models) {
		msg := fmt.Sprintf("shared models not found (looked for ../shared/models next to the folder holding go.work, from %s)", dir)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return models
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// goldenManifest is the manifest.json of a golden set written by
// shared/reference/tflite-ref.mjs.
type goldenManifest struct {
	Model       string         `json:"model"`
	ModelSHA256 string         `json:"model_sha256"`
	Engine      string         `json:"engine"`
	Inputs      []goldenTensor `json:"inputs"`
	Outputs     []goldenTensor `json:"outputs"`
	Samples     []struct {
		Inputs  []goldenFile `json:"inputs"`
		Outputs []goldenFile `json:"outputs"`
	} `json:"samples"`
}

type goldenTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
	Bytes int    `json:"bytes"`
}

type goldenFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

func readManifest(tb testing.TB, dir string) goldenManifest {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var m goldenManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("%s/manifest.json: %v", dir, err)
	}
	return m
}

// diffTensor compares an output with its golden bytes: integer types must
// be identical, float32 within 1e-4 relative (|a-b| <= 1e-4*max(1,|b|)).
// It returns the number of mismatching elements and the largest |a-b|.
func diffTensor(dtype string, got, want []byte) (bad int, maxDiff float64, err error) {
	if len(got) != len(want) {
		return 0, 0, fmt.Errorf("got %d bytes, want %d", len(got), len(want))
	}
	switch dtype {
	case "float32":
		for i := 0; i+4 <= len(got); i += 4 {
			a := float64(math.Float32frombits(le32(got[i:])))
			b := float64(math.Float32frombits(le32(want[i:])))
			if math.IsNaN(a) && math.IsNaN(b) {
				continue
			}
			d := math.Abs(a - b)
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			maxDiff = max(maxDiff, d)
			if !(d <= 1e-4*max(1, math.Abs(b))) {
				bad++
			}
		}
	case "int8":
		for i := range got {
			d := math.Abs(float64(int8(got[i])) - float64(int8(want[i])))
			maxDiff = max(maxDiff, d)
			if d != 0 {
				bad++
			}
		}
	default: // uint8 and wider integers: compare bytes
		for i := range got {
			d := math.Abs(float64(got[i]) - float64(want[i]))
			maxDiff = max(maxDiff, d)
			if d != 0 {
				bad++
			}
		}
	}
	return bad, maxDiff, nil
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
