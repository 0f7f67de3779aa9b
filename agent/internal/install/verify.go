package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
)

// Verify checks that blob is the model signed manifest describes and that it
// runs as the control plane saw it run:
//
//  1. the signature verifies against trusted (an unsigned manifest passes
//     only with allowUnsigned, which callers log as a warning; a present but
//     bad or unknown-key signature is always refused);
//  2. blob has the manifest's size and sha256;
//  3. tflite.Load accepts it;
//  4. its inputs and outputs equal the manifest's (name, dtype, shape,
//     scale, zero point);
//  5. the probe inputs, run through a fresh interpreter, give outputs whose
//     ProbeDigest equals the manifest's.
//
// Errors name the check, the tensor and the expected and actual values.
func Verify(ctx context.Context, blob []byte, signed manifest.Signed, trusted []manifest.PublicKey, allowUnsigned bool) error {
	m := &signed.Manifest
	what := m.Name + "/" + m.Version
	if signed.IsSigned() || !allowUnsigned {
		if err := signed.Verify(trusted); err != nil {
			return fmt.Errorf("verify %w", err)
		}
	} else if err := m.Validate(); err != nil {
		return fmt.Errorf("verify %s: %w", what, err)
	}
	if err := checkBlob(blob, m); err != nil {
		return fmt.Errorf("verify %s: %w", what, err)
	}
	model, err := tflite.Load(blob)
	if err != nil {
		return fmt.Errorf("verify %s: %w: %w", what, ErrModel, err)
	}
	if err := checkIO(model, m); err != nil {
		return fmt.Errorf("verify %s: %w", what, err)
	}
	if err := runProbe(ctx, model, m.Probe); err != nil {
		return fmt.Errorf("verify %s: %w", what, err)
	}
	return nil
}

func checkBlob(blob []byte, m *manifest.Manifest) error {
	if int64(len(blob)) != m.Size {
		return fmt.Errorf("%w: size is %d bytes, manifest says %d", ErrIntegrity, len(blob), m.Size)
	}
	sum := sha256.Sum256(blob)
	if got := hex.EncodeToString(sum[:]); got != m.SHA256 {
		return fmt.Errorf("%w: sha256 is %s, manifest says %s", ErrIntegrity, got, m.SHA256)
	}
	return nil
}

// checkIO compares the model's graph inputs and outputs with the manifest.
func checkIO(model *tflite.Model, m *manifest.Manifest) error {
	if err := compareSpecs("input", specsOf(model.Inputs()), m.Inputs); err != nil {
		return err
	}
	return compareSpecs("output", specsOf(model.Outputs()), m.Outputs)
}

func specsOf(infos []tflite.TensorInfo) []manifest.TensorSpec {
	out := make([]manifest.TensorSpec, len(infos))
	for i, t := range infos {
		out[i] = manifest.TensorSpec{Name: t.Name, DType: t.Type.String(), Shape: t.Shape, Scale: t.Scale, ZeroPoint: t.ZeroPoint}
	}
	return out
}

func compareSpecs(kind string, model, want []manifest.TensorSpec) error {
	if len(model) != len(want) {
		return fmt.Errorf("%w: model has %d %ss, manifest declares %d", ErrSignatureMismatch, len(model), kind, len(want))
	}
	for i := range model {
		got, w := model[i], want[i]
		if got.Name != w.Name || got.DType != w.DType || !slices.Equal(got.Shape, w.Shape) || got.Scale != w.Scale || got.ZeroPoint != w.ZeroPoint {
			return fmt.Errorf("%w: %s %d: manifest says %s, model has %s", ErrSignatureMismatch, kind, i, describe(w), describe(got))
		}
	}
	return nil
}

func describe(t manifest.TensorSpec) string {
	s := fmt.Sprintf("%q %s %v", t.Name, t.DType, t.Shape)
	if t.Scale != 0 || t.ZeroPoint != 0 {
		s += fmt.Sprintf(" scale %g zero_point %d", t.Scale, t.ZeroPoint)
	}
	return s
}

// runProbe runs the probe and compares the outputs' digest.
func runProbe(ctx context.Context, model *tflite.Model, p *manifest.Probe) error {
	if p == nil {
		return ErrNoProbe
	}
	outputs, err := invoke(ctx, model, p.Inputs)
	if err != nil {
		return err
	}
	if got := manifest.ProbeDigest(outputs); got != p.OutputSHA256 {
		return fmt.Errorf("%w: output sha256 is %s, manifest says %s", ErrProbeMismatch, got, p.OutputSHA256)
	}
	return nil
}

// invoke runs model once on raw inputs and returns copies of the outputs.
func invoke(ctx context.Context, model *tflite.Model, inputs [][]byte) ([][]byte, error) {
	it, err := tflite.NewInterpreter(model, tflite.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if len(inputs) != it.NumInputs() {
		return nil, fmt.Errorf("%w: probe has %d inputs, model has %d", ErrProbeMismatch, len(inputs), it.NumInputs())
	}
	for i, in := range inputs {
		if err := it.Input(i).CopyFrom(in); err != nil {
			return nil, fmt.Errorf("%w: probe input %d: %w", ErrProbeMismatch, i, err)
		}
	}
	if err := it.Invoke(ctx); err != nil {
		return nil, fmt.Errorf("%w: running the probe: %w", ErrModel, err)
	}
	outputs := make([][]byte, it.NumOutputs())
	for i := range outputs {
		outputs[i] = slices.Clone(it.Output(i).Bytes())
	}
	return outputs, nil
}
