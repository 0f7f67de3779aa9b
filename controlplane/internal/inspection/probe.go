package inspection

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/edgefleet/edgefleet/proto/manifest"
	"github.com/edgefleet/edgefleet/tflite"
)

// probeSeed fixes the probe inputs: the same model always gets the same
// probe, so re-uploads produce identical manifests.
const probeSeed = 0xed6ef1ee7

// runProbe fills every input with deterministic values and records the
// digest of the outputs.
func runProbe(ctx context.Context, m *tflite.Model) (manifest.Probe, error) {
	// One run on a model that may be hundreds of MiB: no packed copy of
	// the weights (integer outputs are identical either way).
	it, err := tflite.NewInterpreter(m, tflite.Options{LowMemory: true})
	if err != nil {
		return manifest.Probe{}, fmt.Errorf("probe: %w", err)
	}
	p := manifest.Probe{Inputs: make([][]byte, it.NumInputs())}
	total := 0
	for i := range p.Inputs {
		in := it.Input(i)
		data, err := probeInput(in.Type(), in.NumElements(), uint64(i))
		if err != nil {
			return manifest.Probe{}, fmt.Errorf("probe: input %d (%q): %w", i, in.Name(), err)
		}
		total += len(data)
		if total > manifest.MaxProbeBytes {
			return manifest.Probe{}, fmt.Errorf("%w: probe inputs total more than %d bytes", ErrInvalid, manifest.MaxProbeBytes)
		}
		if err := in.CopyFrom(data); err != nil {
			return manifest.Probe{}, fmt.Errorf("probe: input %d: %w", i, err)
		}
		p.Inputs[i] = data
	}
	if err := it.Invoke(ctx); err != nil {
		return manifest.Probe{}, fmt.Errorf("probe: invoke: %w", classifyInvoke(err))
	}
	outs := make([][]byte, it.NumOutputs())
	for i := range outs {
		outs[i] = it.Output(i).Bytes()
	}
	p.OutputSHA256 = manifest.ProbeDigest(outs)
	return p, nil
}

// classifyInvoke keeps cancellation as it is; any other failure while
// running the probe means the engine cannot run this model.
func classifyInvoke(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return classify(err)
}

// probeInput draws n elements of type t: integer types uniform over their
// whole range (quantized inputs exercise every code), floats uniform in
// [-1, 1), bools 0/1. int32/int64 inputs are often indices, so they stay in
// [0, 8) to remain valid for gather-like ops.
func probeInput(t tflite.DType, n int, index uint64) ([]byte, error) {
	r := rand.New(rand.NewPCG(probeSeed, index))
	switch t {
	case tflite.Int8, tflite.Uint8:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b, nil
	case tflite.Bool:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32() & 1)
		}
		return b, nil
	case tflite.Int16:
		b := make([]byte, 2*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(r.Uint32()))
		}
		return b, nil
	case tflite.Int32:
		b := make([]byte, 4*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(r.IntN(8)))
		}
		return b, nil
	case tflite.Int64:
		b := make([]byte, 8*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(r.IntN(8)))
		}
		return b, nil
	case tflite.Float32:
		b := make([]byte, 4*n)
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(r.Float64()*2-1)))
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: no probe for input type %s", ErrUnsupported, t)
}
