// Package inspection checks an uploaded model with the tflite engine and
// describes it for its manifest: I/O signature, operators, arena size, and
// the probe (a deterministic input and the digest of the outputs the
// engine computes for it), which agents replay before activating a model.
package inspection

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
)

// Errors that classify a rejected model.
var (
	// ErrUnsupported: the model is well-formed but uses operators or types
	// the engine cannot run. The error is an *UnsupportedError.
	ErrUnsupported = errors.New("model uses unsupported operators")
	// ErrInvalid: the file is not a valid TFLite model.
	ErrInvalid = errors.New("invalid model")
)

// Op is one operator the engine refused.
type Op struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

// UnsupportedError lists the operators the engine refused.
type UnsupportedError struct {
	Ops    []Op
	Detail string // the engine's own message
}

func (e *UnsupportedError) Error() string { return "model uses unsupported operators: " + e.Detail }

// Unwrap lets errors.Is match ErrUnsupported.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// Report describes an accepted model.
type Report struct {
	Inputs     []manifest.TensorSpec
	Outputs    []manifest.TensorSpec
	Ops        []tflite.OpInfo
	ArenaBytes int64
	Probe      manifest.Probe
}

// OpNames lists the operator names in execution order, for the manifest.
func (r Report) OpNames() []string {
	out := make([]string, len(r.Ops))
	for i, o := range r.Ops {
		out[i] = o.Name
	}
	return out
}

// Inspect loads buf with the engine, rejects what it cannot run, and runs
// the probe. buf is only read; the caller may drop it once Inspect returns.
func Inspect(ctx context.Context, buf []byte) (Report, error) {
	m, err := tflite.Load(buf)
	if err != nil {
		return Report{}, classify(err)
	}
	r := Report{
		Inputs:     specs(m.Inputs()),
		Outputs:    specs(m.Outputs()),
		Ops:        m.Ops(),
		ArenaBytes: int64(m.ArenaSize()),
	}
	probe, err := runProbe(ctx, m)
	if err != nil {
		return Report{}, err
	}
	r.Probe = probe
	return r, nil
}

// opRef finds "op 3 (CUSTOM)"-style references in the engine's message;
// the engine names op index and name in that form (custom ops add their
// quoted custom name).
var opRef = regexp.MustCompile(`op (\d+) \(([A-Za-z0-9_]+(?: "[^"]*")?)\)`)

func classify(err error) error {
	if !errors.Is(err, tflite.ErrUnsupported) {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	u := &UnsupportedError{Detail: err.Error()}
	seen := map[int]bool{}
	for _, m := range opRef.FindAllStringSubmatch(err.Error(), -1) {
		i, convErr := strconv.Atoi(m[1])
		if convErr != nil || seen[i] {
			continue
		}
		seen[i] = true
		u.Ops = append(u.Ops, Op{Index: i, Name: m[2]})
	}
	return u
}

func specs(infos []tflite.TensorInfo) []manifest.TensorSpec {
	out := make([]manifest.TensorSpec, len(infos))
	for i, t := range infos {
		out[i] = manifest.TensorSpec{
			Name: t.Name, DType: t.Type.String(), Shape: t.Shape,
			Scale: t.Scale, ZeroPoint: t.ZeroPoint,
		}
	}
	return out
}
