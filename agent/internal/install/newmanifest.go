package install

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
)

// NewManifest describes blob as model name, version: sha256, size, I/O
// signature, operators, arena size, the current time, and a probe computed
// by running probeInputs (raw bytes, one per input) through the engine.
// With nil probeInputs it draws deterministic pseudo-random inputs from the
// blob's sha256, so the probe exercises the weights. The result is unsigned;
// sign it with manifest.Sign.
func NewManifest(ctx context.Context, name, version string, blob []byte, probeInputs [][]byte) (manifest.Manifest, error) {
	model, err := tflite.Load(blob)
	if err != nil {
		return manifest.Manifest{}, fmt.Errorf("new manifest %s/%s: %w: %w", name, version, ErrModel, err)
	}
	sum := sha256.Sum256(blob)
	if probeInputs == nil {
		probeInputs = defaultProbeInputs(model.Inputs(), sum)
	}
	outputs, err := invoke(ctx, model, probeInputs)
	if err != nil {
		return manifest.Manifest{}, fmt.Errorf("new manifest %s/%s: %w", name, version, err)
	}
	ops := model.Ops()
	names := make([]string, 0, len(ops))
	seen := map[string]bool{}
	for _, op := range ops {
		if !seen[op.Name] {
			seen[op.Name] = true
			names = append(names, op.Name)
		}
	}
	m := manifest.Manifest{
		Name:       name,
		Version:    version,
		SHA256:     hex.EncodeToString(sum[:]),
		Size:       int64(len(blob)),
		Inputs:     specsOf(model.Inputs()),
		Outputs:    specsOf(model.Outputs()),
		Ops:        names,
		ArenaBytes: int64(model.ArenaSize()),
		CreatedAt:  time.Now().UTC(),
		Probe:      &manifest.Probe{Inputs: probeInputs, OutputSHA256: manifest.ProbeDigest(outputs)},
	}
	if err := m.Validate(); err != nil {
		return manifest.Manifest{}, fmt.Errorf("new manifest: %w", err)
	}
	return m, nil
}

// defaultProbeInputs fills each input with sha256(seed || input index ||
// block counter) bytes. Float inputs get bytes turned into values in
// [-1, 1) rather than raw bits, which could be NaN.
func defaultProbeInputs(infos []tflite.TensorInfo, seed [32]byte) [][]byte {
	out := make([][]byte, len(infos))
	for i, info := range infos {
		n := 1
		for _, d := range info.Shape {
			n *= d
		}
		size := n * info.Type.Size()
		raw := make([]byte, 0, size+32)
		for block := uint32(0); len(raw) < size; block++ {
			var ctr [8]byte
			binary.LittleEndian.PutUint32(ctr[:4], uint32(i))
			binary.LittleEndian.PutUint32(ctr[4:], block)
			h := sha256.Sum256(append(seed[:], ctr[:]...))
			raw = append(raw, h[:]...)
		}
		raw = raw[:size]
		if info.Type == tflite.Float32 {
			for j := 0; j+4 <= len(raw); j += 4 {
				v := float32(int8(raw[j]))/128 + float32(raw[j+1])/(128*256)
				binary.LittleEndian.PutUint32(raw[j:], math.Float32bits(v))
			}
		}
		out[i] = raw
	}
	return out
}
