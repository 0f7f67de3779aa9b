package manifest

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits on manifest fields. They keep a hostile manifest from making the
// agent allocate without bound and keep names usable as store keys, URL path
// segments and MQTT topic levels.
const (
	// MaxNameLen bounds Manifest.Name and Manifest.Version.
	MaxNameLen = 128
	// MaxTensors bounds the number of inputs and of outputs.
	MaxTensors = 64
	// MaxRank bounds the number of dimensions of one tensor.
	MaxRank = 8
	// MaxOps bounds the length of Manifest.Ops.
	MaxOps = 1024
	// MaxProbeBytes bounds the total size of the probe inputs.
	MaxProbeBytes = 16 << 20
)

// dtypes lists the element type names a TensorSpec may carry, the lower-case
// TFLite names.
var dtypes = map[string]bool{
	"float32": true, "float16": true, "float64": true,
	"int8": true, "uint8": true, "int16": true, "uint16": true,
	"int32": true, "uint32": true, "int64": true, "uint64": true,
	"bool": true, "string": true, "complex64": true,
}

// ErrInvalid marks a manifest whose fields break the rules documented on
// Manifest (a bad name, a malformed digest, a negative size, ...).
var ErrInvalid = errors.New("invalid manifest")

// TensorSpec describes one model input or output.
type TensorSpec struct {
	// Name is the tensor's name in the model.
	Name string `json:"name"`
	// DType is the element type, lower case: "int8", "uint8", "float32", ...
	DType string `json:"dtype"`
	// Shape lists the dimensions; an empty shape is a scalar.
	Shape []int `json:"shape"`
	// Scale and ZeroPoint are the quantization parameters of quantized
	// tensors (real = Scale * (q - ZeroPoint)); zero for float tensors.
	Scale     float32 `json:"scale,omitempty"`
	ZeroPoint int32   `json:"zero_point,omitempty"`
}

// Probe is a self-test the agent runs before activating a version: the raw
// bytes of every input, and the digest (ProbeDigest) of the outputs the
// control plane computed for them.
type Probe struct {
	// Inputs holds one raw little-endian tensor per model input, in order
	// (base64 in JSON).
	Inputs [][]byte `json:"inputs"`
	// OutputSHA256 is ProbeDigest of the outputs: the hex sha256 of all
	// outputs' raw bytes concatenated in order.
	OutputSHA256 string `json:"output_sha256"`
}

// Manifest describes one model version. Name and Version use only ASCII
// letters, digits, '.', '_' and '-' (at most MaxNameLen bytes, not starting
// with '.'); SHA256 is 64 lower-case hex digits; Size is positive.
type Manifest struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// SHA256 is the hex sha256 of the model file.
	SHA256 string `json:"sha256"`
	// Size is the model file's length in bytes.
	Size    int64        `json:"size"`
	Inputs  []TensorSpec `json:"inputs"`
	Outputs []TensorSpec `json:"outputs"`
	// Ops lists the builtin operator names the model uses (informational).
	Ops []string `json:"ops,omitempty"`
	// ArenaBytes is the activation memory the engine plans for the model.
	ArenaBytes int64 `json:"arena_bytes"`
	// CreatedAt is when the control plane created the version.
	CreatedAt time.Time `json:"created_at"`
	// Probe is the self-test; a manifest without one cannot be activated
	// by the agent.
	Probe *Probe `json:"probe,omitempty"`
}

// Validate checks every field against the rules documented on Manifest and
// the package limits. Errors wrap ErrInvalid and name the field.
func (m *Manifest) Validate() error {
	if err := ValidName("name", m.Name); err != nil {
		return err
	}
	if err := ValidName("version", m.Version); err != nil {
		return err
	}
	if err := validDigest("sha256", m.SHA256); err != nil {
		return err
	}
	if m.Size <= 0 {
		return fmt.Errorf("%w: size %d, want > 0", ErrInvalid, m.Size)
	}
	if m.CreatedAt.IsZero() || m.CreatedAt.Year() > 9999 {
		return fmt.Errorf("%w: created_at %s, want a time between year 1 and 9999", ErrInvalid, m.CreatedAt)
	}
	if m.ArenaBytes < 0 {
		return fmt.Errorf("%w: arena_bytes %d, want >= 0", ErrInvalid, m.ArenaBytes)
	}
	if err := validTensors("inputs", m.Inputs); err != nil {
		return err
	}
	if err := validTensors("outputs", m.Outputs); err != nil {
		return err
	}
	if len(m.Ops) > MaxOps {
		return fmt.Errorf("%w: ops has %d entries, limit %d", ErrInvalid, len(m.Ops), MaxOps)
	}
	if m.Probe != nil {
		if err := m.Probe.validate(len(m.Inputs)); err != nil {
			return err
		}
	}
	return nil
}

func (p *Probe) validate(nInputs int) error {
	if len(p.Inputs) != nInputs {
		return fmt.Errorf("%w: probe has %d inputs, the manifest declares %d", ErrInvalid, len(p.Inputs), nInputs)
	}
	total := 0
	for _, in := range p.Inputs {
		total += len(in)
	}
	if total > MaxProbeBytes {
		return fmt.Errorf("%w: probe inputs total %d bytes, limit %d", ErrInvalid, total, MaxProbeBytes)
	}
	return validDigest("probe.output_sha256", p.OutputSHA256)
}

// ValidName checks a model name or version: 1 to MaxNameLen bytes of
// letters, digits, '.', '_' and '-', not starting with '.'. The error names
// field. Names are used in object keys and bbolt keys, hence the strictness.
func ValidName(field, s string) error {
	if s == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, field)
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("%w: %s is %d bytes, limit %d", ErrInvalid, field, len(s), MaxNameLen)
	}
	if s[0] == '.' {
		return fmt.Errorf("%w: %s %q starts with '.'", ErrInvalid, field, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("%w: %s %q has byte %q at %d; allowed are letters, digits, '.', '_' and '-'", ErrInvalid, field, s, c, i)
		}
	}
	return nil
}

func validDigest(field, s string) error {
	if len(s) != 64 {
		return fmt.Errorf("%w: %s %q is %d characters, want 64 hex digits", ErrInvalid, field, s, len(s))
	}
	if _, err := hex.DecodeString(s); err != nil {
		return fmt.Errorf("%w: %s %q is not hex: %w", ErrInvalid, field, s, err)
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'F' {
			return fmt.Errorf("%w: %s %q must be lower-case hex", ErrInvalid, field, s)
		}
	}
	return nil
}

func validTensors(field string, ts []TensorSpec) error {
	if len(ts) == 0 {
		return fmt.Errorf("%w: %s is empty", ErrInvalid, field)
	}
	if len(ts) > MaxTensors {
		return fmt.Errorf("%w: %s has %d tensors, limit %d", ErrInvalid, field, len(ts), MaxTensors)
	}
	for i, t := range ts {
		if !dtypes[t.DType] {
			return fmt.Errorf("%w: %s[%d] (%q) dtype %q is not a known TFLite type", ErrInvalid, field, i, t.Name, t.DType)
		}
		if len(t.Shape) > MaxRank {
			return fmt.Errorf("%w: %s[%d] (%q) has rank %d, limit %d", ErrInvalid, field, i, t.Name, len(t.Shape), MaxRank)
		}
		if math.IsNaN(float64(t.Scale)) || math.IsInf(float64(t.Scale), 0) || t.Scale < 0 {
			return fmt.Errorf("%w: %s[%d] (%q) scale %v, want a finite value >= 0", ErrInvalid, field, i, t.Name, t.Scale)
		}
		for j, d := range t.Shape {
			if d < 0 {
				return fmt.Errorf("%w: %s[%d] (%q) dimension %d is %d, want >= 0", ErrInvalid, field, i, t.Name, j, d)
			}
		}
	}
	return nil
}
