package telemetry

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/inference"
)

func TestRuntimeObserverMapsEvents(t *testing.T) {
	rec := NewRecorder()
	o := RuntimeObserver{Rec: rec}
	f := make([]byte, 8)
	binary.LittleEndian.PutUint32(f, math.Float32bits(0.5))
	binary.LittleEndian.PutUint32(f[4:], math.Float32bits(2.5))
	specs := []inference.TensorSpec{{Name: "x", DType: "int8"}}
	outSpecs := []inference.TensorSpec{{Name: "p", DType: "float32"}}
	ok := runtime.Event{Model: "m", Version: "1", SHA256: "s", Latency: time.Millisecond,
		Inputs: [][]byte{{0x80, 0x7f}}, InputSpecs: specs, Outputs: [][]byte{f}, OutputSpecs: outSpecs}
	o.Observe(ok)
	o.Observe(runtime.Event{Model: "m", Version: "1", Err: runtime.ErrQueueFull})
	o.Observe(runtime.Event{Model: "m", Version: "1", Err: errors.Join(runtime.ErrInvoke, errors.New("boom"))})
	w := rec.Flush()
	if len(w) != 1 {
		t.Fatalf("windows = %d", len(w))
	}
	m := w[0]
	if m.Requests != 2 || m.QueueRejections != 1 || len(m.Errors) != 1 || m.Errors[0].Kind != "invoke" || m.Errors[0].Count != 1 {
		t.Fatalf("counts: requests %d rejections %d errors %v", m.Requests, m.QueueRejections, m.Errors)
	}
	in := m.Inputs[0]
	if in.Min != -128 || in.Max != 127 || in.Count != 2 {
		t.Fatalf("int8 input summary %+v", in)
	}
	out := m.Outputs[0]
	if out.Min != 0.5 || out.Max != 2.5 || len(m.Top1) != 1 || m.Top1[0].Class != 1 || m.Top1[0].Count != 1 {
		t.Fatalf("float output summary %+v top1 %v", out, m.Top1)
	}
}
