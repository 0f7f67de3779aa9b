package telemetry

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/inference"
)

// RuntimeObserver feeds the runtime's inference events into a Recorder.
type RuntimeObserver struct {
	Rec *Recorder
}

// Observe implements runtime.Observer.
func (o RuntimeObserver) Observe(ev runtime.Event) {
	kind := runtime.ErrorKind(ev.Err)
	out := Event{
		Model: ev.Model, Version: ev.Version, SHA256: ev.SHA256,
		Latency: ev.Latency, MemoHit: ev.Cached,
		QueueRejected: kind == "queue_full",
	}
	if kind != "" && !out.QueueRejected {
		out.ErrKind = kind
	}
	if ev.Err == nil {
		out.Inputs = views(ev.Inputs, ev.InputSpecs)
		out.Outputs = views(ev.Outputs, ev.OutputSpecs)
	}
	o.Rec.Observe(out)
}

// views describes raw tensors for the recorder without copying integer
// data; float32 tensors are decoded (their bytes need not be aligned).
func views(raw [][]byte, specs []inference.TensorSpec) []Tensor {
	if len(raw) != len(specs) {
		return nil
	}
	out := make([]Tensor, 0, len(raw))
	for i, b := range raw {
		t := Tensor{Name: specs[i].Name}
		switch specs[i].DType {
		case "int8":
			t.Kind = KindInt8
			t.Int8 = unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
		case "uint8":
			t.Kind, t.Uint8 = KindUint8, b
		case "float32":
			t.Kind = KindFloat32
			t.Float32 = make([]float32, len(b)/4)
			for j := range t.Float32 {
				t.Float32[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
			}
		default:
			continue // other types are not summarised
		}
		out = append(out, t)
	}
	return out
}
