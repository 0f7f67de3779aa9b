package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Canonical returns the bytes that get signed. They are the JSON encoding of
// the manifest with these rules, so that every signer and verifier produces
// the same bytes for the same manifest:
//
//   - one JSON object, no insignificant whitespace, no trailing newline;
//   - keys in this fixed order, every key always present: name, version,
//     sha256, size, inputs, outputs, ops, arena_bytes, created_at, probe;
//   - each tensor spec is an object with keys name, dtype, shape, scale,
//     zero_point, all present (scale 0 and zero_point 0 for float tensors);
//   - absent lists are written as [] (never null), so nil and empty are the
//     same manifest; an absent probe is null;
//   - created_at is converted to UTC and written as RFC 3339 with as many
//     fractional-second digits as needed (Go's time.RFC3339Nano);
//   - byte strings (probe inputs) are standard base64 with padding;
//   - numbers and strings are written as Go's encoding/json writes them
//     (shortest float32 representation, HTML-safe string escaping).
//
// The golden file testdata/canonical.golden pins the encoding; changing it
// invalidates every signature in the field and needs a new signing domain
// (see SignatureDomain).
//
// Canonical validates the manifest first and fails with ErrInvalid, so an
// invalid manifest can be neither signed nor verified.
func (m *Manifest) Canonical() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	c := canonicalManifest{
		Name:       m.Name,
		Version:    m.Version,
		SHA256:     m.SHA256,
		Size:       m.Size,
		Inputs:     canonicalTensors(m.Inputs),
		Outputs:    canonicalTensors(m.Outputs),
		Ops:        nonNil(m.Ops),
		ArenaBytes: m.ArenaBytes,
		CreatedAt:  m.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
	if m.Probe != nil {
		inputs := make([][]byte, len(m.Probe.Inputs))
		for i, in := range m.Probe.Inputs {
			inputs[i] = nonNil(in)
		}
		c.Probe = &canonicalProbe{Inputs: inputs, OutputSHA256: m.Probe.OutputSHA256}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("canonical encoding of %s/%s: %w", m.Name, m.Version, err)
	}
	// Encoder always appends a newline; the canonical form has none.
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// The canonical* types fix the key order and drop every omitempty, which
// the public types use for friendlier JSON.
type canonicalManifest struct {
	Name       string            `json:"name"`
	Version    string            `json:"version"`
	SHA256     string            `json:"sha256"`
	Size       int64             `json:"size"`
	Inputs     []canonicalTensor `json:"inputs"`
	Outputs    []canonicalTensor `json:"outputs"`
	Ops        []string          `json:"ops"`
	ArenaBytes int64             `json:"arena_bytes"`
	CreatedAt  string            `json:"created_at"`
	Probe      *canonicalProbe   `json:"probe"`
}

type canonicalTensor struct {
	Name      string  `json:"name"`
	DType     string  `json:"dtype"`
	Shape     []int   `json:"shape"`
	Scale     float32 `json:"scale"`
	ZeroPoint int32   `json:"zero_point"`
}

type canonicalProbe struct {
	Inputs       [][]byte `json:"inputs"`
	OutputSHA256 string   `json:"output_sha256"`
}

func canonicalTensors(ts []TensorSpec) []canonicalTensor {
	out := make([]canonicalTensor, len(ts))
	for i, t := range ts {
		out[i] = canonicalTensor{Name: t.Name, DType: t.DType, Shape: nonNil(t.Shape), Scale: t.Scale, ZeroPoint: t.ZeroPoint}
	}
	return out
}

// nonNil turns a nil slice into an empty one so it encodes as [] or "".
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
