package enginecli

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// goldenManifest is DIR/manifest.json of a golden set written by
// shared/reference/tflite-ref.mjs ("tflite-ref golden v1").
type goldenManifest struct {
	Model       string         `json:"model"`
	ModelSHA256 string         `json:"model_sha256"`
	Engine      string         `json:"engine"`
	Inputs      []goldenTensor `json:"inputs"`
	Outputs     []goldenTensor `json:"outputs"`
	Samples     []goldenSample `json:"samples"`
}

type goldenTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
	Bytes int    `json:"bytes"`
}

type goldenSample struct {
	Inputs  []goldenFile `json:"inputs"`
	Outputs []goldenFile `json:"outputs"`
}

type goldenFile struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

func readManifest(dir string) (*goldenManifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m goldenManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	for i, s := range m.Samples {
		if len(s.Inputs) != len(m.Inputs) || len(s.Outputs) != len(m.Outputs) {
			return nil, fmt.Errorf("%s: sample %d has %d inputs/%d outputs, manifest declares %d/%d",
				dir, i, len(s.Inputs), len(s.Outputs), len(m.Inputs), len(m.Outputs))
		}
	}
	return &m, nil
}

// diff is the comparison of one output with its golden bytes.
type diff struct {
	elements int     // elements compared
	bad      int     // elements out of tolerance
	maxAbs   float64 // largest |got - want|
}

// floatTolerance is the relative tolerance on float32 outputs: summation
// order legitimately moves the last bits.
const floatTolerance = 1e-4

// compareOutput compares got with want element by element: integer types
// must be identical, float32 within floatTolerance·max(1, |want|).
func compareOutput(dtype string, got, want []byte) (diff, error) {
	if len(got) != len(want) {
		return diff{}, fmt.Errorf("got %d bytes, golden has %d", len(got), len(want))
	}
	var d diff
	add := func(a, b float64, ok bool) {
		d.elements++
		if delta := math.Abs(a - b); delta > d.maxAbs || math.IsNaN(delta) {
			d.maxAbs = delta
		}
		if !ok {
			d.bad++
		}
	}
	switch dtype {
	case "float32":
		for i := 0; i+4 <= len(got); i += 4 {
			a := float64(math.Float32frombits(binary.LittleEndian.Uint32(got[i:])))
			b := float64(math.Float32frombits(binary.LittleEndian.Uint32(want[i:])))
			same := (math.IsNaN(a) && math.IsNaN(b)) || math.Abs(a-b) <= floatTolerance*max(1, math.Abs(b))
			add(a, b, same)
		}
	case "int8":
		for i := range got {
			a, b := float64(int8(got[i])), float64(int8(want[i]))
			add(a, b, a == b)
		}
	case "uint8", "bool":
		for i := range got {
			a, b := float64(got[i]), float64(want[i])
			add(a, b, a == b)
		}
	case "int16":
		for i := 0; i+2 <= len(got); i += 2 {
			a := float64(int16(binary.LittleEndian.Uint16(got[i:])))
			b := float64(int16(binary.LittleEndian.Uint16(want[i:])))
			add(a, b, a == b)
		}
	case "int32":
		for i := 0; i+4 <= len(got); i += 4 {
			a := float64(int32(binary.LittleEndian.Uint32(got[i:])))
			b := float64(int32(binary.LittleEndian.Uint32(want[i:])))
			add(a, b, a == b)
		}
	case "int64":
		for i := 0; i+8 <= len(got); i += 8 {
			a, b := int64(binary.LittleEndian.Uint64(got[i:])), int64(binary.LittleEndian.Uint64(want[i:]))
			add(float64(a), float64(b), a == b)
		}
	default:
		return diff{}, fmt.Errorf("cannot compare dtype %q", dtype)
	}
	return d, nil
}
