package install

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	blob, base := tinyModel(t, "tiny", "1", 1)
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	garbage := []byte("this is not a tflite model at all")
	garbageSum := sha256.Sum256(garbage)

	tests := []struct {
		name          string
		make          func() ([]byte, manifest.Signed)
		allowUnsigned bool
		want          error
		wantMsg       string
	}{
		{name: "good", make: func() ([]byte, manifest.Signed) { return blob, sign(t, base) }},
		{name: "unsigned refused", make: func() ([]byte, manifest.Signed) { return blob, manifest.Signed{Manifest: base} }, want: manifest.ErrUnsigned},
		{name: "unsigned allowed", allowUnsigned: true, make: func() ([]byte, manifest.Signed) { return blob, manifest.Signed{Manifest: base} }},
		{name: "tampered manifest", allowUnsigned: true, want: manifest.ErrBadSignature, make: func() ([]byte, manifest.Signed) {
			s := sign(t, base)
			s.Manifest.Version = "2"
			return blob, s
		}},
		{name: "unknown key", want: manifest.ErrUnknownKey, make: func() ([]byte, manifest.Signed) {
			s, err := manifest.Sign(base, otherKey)
			if err != nil {
				t.Fatal(err)
			}
			return blob, s
		}},
		{name: "tampered blob", want: ErrIntegrity, wantMsg: "sha256 is", make: func() ([]byte, manifest.Signed) {
			b := bytes.Clone(blob)
			b[len(b)/2] ^= 0x40
			return b, sign(t, base)
		}},
		{name: "truncated blob", want: ErrIntegrity, wantMsg: "size is", make: func() ([]byte, manifest.Signed) {
			return blob[:len(blob)-1], sign(t, base)
		}},
		{name: "not a model", want: ErrModel, make: func() ([]byte, manifest.Signed) {
			m := base
			m.SHA256, m.Size = hex.EncodeToString(garbageSum[:]), int64(len(garbage))
			return garbage, sign(t, m)
		}},
		{name: "input shape differs", want: ErrSignatureMismatch, wantMsg: `input 0: manifest says "input" int8 [1 9]`, make: func() ([]byte, manifest.Signed) {
			m := base
			m.Inputs = []manifest.TensorSpec{m.Inputs[0]}
			m.Inputs[0].Shape = []int{1, 9}
			return blob, sign(t, m)
		}},
		{name: "output scale differs", want: ErrSignatureMismatch, wantMsg: "output 0", make: func() ([]byte, manifest.Signed) {
			m := base
			m.Outputs = []manifest.TensorSpec{m.Outputs[0]}
			m.Outputs[0].Scale *= 2
			return blob, sign(t, m)
		}},
		{name: "extra output declared", want: ErrSignatureMismatch, wantMsg: "model has 1 outputs, manifest declares 2", make: func() ([]byte, manifest.Signed) {
			m := base
			m.Outputs = append([]manifest.TensorSpec{m.Outputs[0]}, m.Outputs[0])
			return blob, sign(t, m)
		}},
		{name: "probe digest differs", want: ErrProbeMismatch, wantMsg: "manifest says " + strings.Repeat("0", 64), make: func() ([]byte, manifest.Signed) {
			m := base
			m.Probe = &manifest.Probe{Inputs: base.Probe.Inputs, OutputSHA256: strings.Repeat("0", 64)}
			return blob, sign(t, m)
		}},
		{name: "probe input differs", want: ErrProbeMismatch, make: func() ([]byte, manifest.Signed) {
			// Negate every feature: a one-step change can vanish in
			// the int8 softmax, this cannot.
			in := bytes.Clone(base.Probe.Inputs[0])
			for i := range in {
				in[i] = byte(-int8(in[i]) / 2)
			}
			m := base
			m.Probe = &manifest.Probe{Inputs: [][]byte{in}, OutputSHA256: base.Probe.OutputSHA256}
			return blob, sign(t, m)
		}},
		{name: "probe input wrong size", want: ErrProbeMismatch, wantMsg: "got 3 bytes, want 8", make: func() ([]byte, manifest.Signed) {
			m := base
			m.Probe = &manifest.Probe{Inputs: [][]byte{{1, 2, 3}}, OutputSHA256: base.Probe.OutputSHA256}
			return blob, sign(t, m)
		}},
		{name: "no probe", want: ErrNoProbe, make: func() ([]byte, manifest.Signed) {
			m := base
			m.Probe = nil
			return blob, sign(t, m)
		}},
		{name: "other model same manifest", want: ErrIntegrity, make: func() ([]byte, manifest.Signed) {
			other, err := builder.TinyClassifier(2)
			if err != nil {
				t.Fatal(err)
			}
			return other, sign(t, base)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, s := tc.make()
			err := Verify(ctx, b, s, trustedKeys(), tc.allowUnsigned)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("Verify = %q, want it to contain %q", err, tc.wantMsg)
			}
		})
	}
}

func TestNewManifestDescribesModel(t *testing.T) {
	makers := map[string]func(uint64) ([]byte, error){
		"int8":    builder.TinyClassifier,
		"float32": builder.TinyClassifierFloat,
		"uint8":   builder.TinyClassifierUint8,
	}
	for dtype, mk := range makers {
		t.Run(dtype, func(t *testing.T) {
			blob, err := mk(3)
			if err != nil {
				t.Fatal(err)
			}
			m, err := NewManifest(context.Background(), "tiny", "v1", blob, nil)
			if err != nil {
				t.Fatal(err)
			}
			in, out := m.Inputs[0], m.Outputs[0]
			if in.Name != "input" || in.DType != dtype || len(in.Shape) != 2 || in.Shape[1] != builder.TinyInputs {
				t.Fatalf("input %+v", in)
			}
			if out.Name != "probabilities" || out.DType != dtype || out.Shape[1] != builder.TinyClasses {
				t.Fatalf("output %+v", out)
			}
			if strings.Join(m.Ops, ",") != "FULLY_CONNECTED,SOFTMAX" {
				t.Fatalf("ops %q", m.Ops)
			}
			if m.ArenaBytes <= 0 {
				t.Fatalf("arena %d", m.ArenaBytes)
			}
			if err := Verify(context.Background(), blob, sign(t, m), trustedKeys(), false); err != nil {
				t.Fatal(err)
			}
			// The default probe is deterministic per blob.
			again, err := NewManifest(context.Background(), "tiny", "v1", blob, nil)
			if err != nil || again.Probe.OutputSHA256 != m.Probe.OutputSHA256 {
				t.Fatalf("probe not deterministic: %v", err)
			}
		})
	}
}

func TestNewManifestRejectsBadInput(t *testing.T) {
	blob, _ := tinyModel(t, "tiny", "1", 1)
	if _, err := NewManifest(context.Background(), "tiny", "1", []byte("nope"), nil); !errors.Is(err, ErrModel) {
		t.Fatalf("NewManifest(garbage) = %v, want ErrModel", err)
	}
	if _, err := NewManifest(context.Background(), "tiny", "1", blob, [][]byte{{1}}); !errors.Is(err, ErrProbeMismatch) {
		t.Fatalf("NewManifest(short probe) = %v, want ErrProbeMismatch", err)
	}
	if _, err := NewManifest(context.Background(), "bad/name", "1", blob, nil); !errors.Is(err, manifest.ErrInvalid) {
		t.Fatalf("NewManifest(bad name) = %v, want ErrInvalid", err)
	}
}
