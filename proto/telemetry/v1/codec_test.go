package telemetryv1

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// full is a batch with every field set, to exercise each decoder path.
func full() *Batch {
	temp := 41.5
	return &Batch{DeviceId: "d1", BootId: "boot", Seq: 42, DroppedBatches: 3, AgentVersion: "0.1.0", InstanceId: "inst",
		WindowStart: timestamppb.New(timestamppb.Now().AsTime().Add(-60e9)), WindowEnd: timestamppb.Now(),
		Models: []*ModelWindow{{Model: "m", Version: "1", Sha256: "ab12", Requests: 7, LatencySumUs: 900,
			Errors:          []*ErrorCount{{Kind: "invoke", Count: 1}, {Kind: "timeout", Count: 2}},
			LatencyBoundsUs: []uint64{100, 1000}, LatencyCounts: []uint64{1, 5, 1}, MemoHits: 2, QueueRejections: 1,
			Inputs:  []*TensorSummary{{Name: "x", Count: 7, Mean: 0.5, Min: -1, Max: 1, HistLo: -1, HistHi: 1, Hist: []uint64{3, 4}}},
			Outputs: []*TensorSummary{{Name: "y", Count: 7, Hist: []uint64{7}}},
			Top1:    []*ClassCount{{Class: 2, Count: 6}, {Class: 0, Count: 1}}},
			{Model: "n", Version: "2"}},
		Health: &Health{CpuLoad1: 0.25, MemTotalBytes: 1 << 30, MemAvailableBytes: 1 << 29, DiskFreeBytes: 1 << 32, TemperatureC: &temp, UptimeSeconds: 99}}
}

func TestRoundTrip(t *testing.T) {
	b := full()
	for _, enc := range []Encoding{EncodingProtobuf, EncodingJSON} {
		p, err := Marshal(b, enc)
		if err != nil {
			t.Fatal(err)
		}
		if (p[0] == '{') != (enc == EncodingJSON) {
			t.Fatalf("%s payload starts with %q", enc, p[0])
		}
		got, err := Unmarshal(p)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if !proto.Equal(got, b) {
			t.Fatalf("%s round trip: got %v want %v", enc, got, b)
		}
	}
}

// TestMapWireCompatible: errors and top1 were map fields; a map is encoded
// as entry messages (key 1, value 2, in either order, either omitted when
// zero), which decode into the repeated pairs that replaced them.
func TestMapWireCompatible(t *testing.T) {
	entry := func(fields ...func([]byte) []byte) []byte {
		var e []byte
		for _, f := range fields {
			e = f(e)
		}
		return e
	}
	str := func(n protowire.Number, s string) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendString(protowire.AppendTag(b, n, protowire.BytesType), s)
		}
	}
	num := func(n protowire.Number, v uint64) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendVarint(protowire.AppendTag(b, n, protowire.VarintType), v)
		}
	}
	msg := func(b []byte, n protowire.Number, m []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, n, protowire.BytesType), m)
	}
	var w []byte
	w = str(1, "m")(w)
	w = msg(w, 5, entry(str(1, "invoke"), num(2, 3)))
	w = msg(w, 5, entry(num(2, 4), str(1, "timeout"))) // value first
	w = msg(w, 5, entry(num(2, 1)))                    // default key ""
	w = msg(w, 13, entry(num(1, 7), num(2, 9)))
	w = msg(w, 13, entry(num(2, 5))) // default key 0
	payload := msg(num(3, 1)(str(1, "d1")(nil)), 7, w)

	got, err := Unmarshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	want := &Batch{DeviceId: "d1", Seq: 1, Models: []*ModelWindow{{Model: "m",
		Errors: []*ErrorCount{{Kind: "invoke", Count: 3}, {Kind: "timeout", Count: 4}, {Count: 1}},
		Top1:   []*ClassCount{{Class: 7, Count: 9}, {Count: 5}}}}}
	if !proto.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// TestUnmarshalMatchesProto: the generated decoder accepts and rejects
// exactly what proto.Unmarshal does and decodes to the same message.
func TestUnmarshalMatchesProto(t *testing.T) {
	valid, err := proto.Marshal(full())
	if err != nil {
		t.Fatal(err)
	}
	payloads := map[string][]byte{
		"valid":         valid,
		"empty":         {},
		"garbage":       {0xff, 0xff, 0xff},
		"unknown field": protowire.AppendVarint(protowire.AppendTag(append([]byte(nil), valid...), 99, protowire.VarintType), 1),
		"field 0":       {0x00, 0x01},
		"bad varint":    {0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		// Found by FuzzUnmarshalMatchesProto: the generated decoder skips
		// unknown fields with looser checks than proto.Unmarshal.
		"unknown group, wrong end":    []byte("\n\x0200c$"),
		"unknown group, right end":    []byte("\n\x0200c\x64"),
		"field number > 2^29":         {0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01},
		"unknown field in timestamp":  []byte("Z\x0200Z\x04000000\"\f\xc000100000000"),
		"unknown group in timestamp":  {0x22, 0x02, 0x1b, 0x1c},
		"string twice, first invalid": []byte("\n\x0200\x12\x01\xff\x12\x01a"),
	}
	for i := range valid {
		payloads[fmt.Sprintf("truncated at %d", i)] = valid[:i]
	}
	for name, p := range invalidUTF8Payloads((&Batch{}).ProtoReflect().Descriptor(), "", 0) {
		if proto.Unmarshal(p, new(Batch)) == nil {
			t.Fatalf("%s: proto.Unmarshal accepts invalid UTF-8; the test's premise is wrong", name)
		}
		payloads["invalid UTF-8 in "+name] = p
	}
	for name, p := range wrongWireTypePayloads((&Batch{}).ProtoReflect().Descriptor(), "", 0) {
		payloads["wrong wire type of "+name] = p
	}
	for name, p := range payloads {
		checkMatchesProto(t, name, p)
	}
}

// TestPlainWire: what agents send takes the fast path; what the generated
// decoder might judge differently from proto.Unmarshal does not.
func TestPlainWire(t *testing.T) {
	valid, err := proto.Marshal(full())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    []byte
		want bool
	}{
		{"agent batch", valid, true},
		{"empty", nil, true},
		{"unknown field", protowire.AppendVarint(protowire.AppendTag(append([]byte(nil), valid...), 99, protowire.VarintType), 1), false},
		{"invalid UTF-8", []byte("\x0a\x01\xff"), false},
		{"string as varint", []byte{0x08, 0x01}, false},
		{"unknown field in timestamp", []byte{0x22, 0x02, 0x18, 0x01}, false},
		{"truncated", valid[:len(valid)-1], false},
	}
	for _, tc := range tests {
		if got := batchShape().plainWire(tc.p, 0); got != tc.want {
			t.Errorf("%s: plainWire = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func checkMatchesProto(t *testing.T, name string, p []byte) {
	t.Helper()
	want := new(Batch)
	wantErr := proto.Unmarshal(p, want)
	got, err := Unmarshal(p)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Errorf("%s: Unmarshal error %v, proto.Unmarshal error %v", name, err, wantErr)
	case err == nil && !proto.Equal(dropTimestampUnknowns(got), dropTimestampUnknowns(want)):
		t.Errorf("%s: Unmarshal = %v, proto.Unmarshal = %v", name, got, want)
	}
}

// dropTimestampUnknowns clears the unknown fields of b's timestamps:
// vtprotobuf's decoder for the well-known Timestamp skips them instead of
// keeping them. Nothing reads them (a Timestamp's JSON has no room for
// them either).
func dropTimestampUnknowns(b *Batch) *Batch {
	for _, ts := range []*timestamppb.Timestamp{b.WindowStart, b.WindowEnd} {
		if ts != nil {
			ts.ProtoReflect().SetUnknown(nil)
		}
	}
	return b
}

// invalidUTF8Payloads returns, for every string field reachable from md,
// a payload that sets only that field, to "\xff".
func invalidUTF8Payloads(md protoreflect.MessageDescriptor, path string, depth int) map[string][]byte {
	out := map[string][]byte{}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		name := path + string(fd.Name())
		switch fd.Kind() {
		case protoreflect.StringKind:
			out[name] = protowire.AppendString(protowire.AppendTag(nil, fd.Number(), protowire.BytesType), "\xff")
		case protoreflect.MessageKind:
			if depth > 4 {
				continue
			}
			for sub, p := range invalidUTF8Payloads(fd.Message(), name+".", depth+1) {
				out[sub] = protowire.AppendBytes(protowire.AppendTag(nil, fd.Number(), protowire.BytesType), p)
			}
		}
	}
	return out
}

// wrongWireTypePayloads returns, for every field reachable from md, a
// payload that encodes it with a wire type it does not have.
func wrongWireTypePayloads(md protoreflect.MessageDescriptor, path string, depth int) map[string][]byte {
	out := map[string][]byte{}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		name := path + string(fd.Name())
		switch fd.Kind() {
		case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind:
			out[name] = protowire.AppendVarint(protowire.AppendTag(nil, fd.Number(), protowire.VarintType), 1)
		case protoreflect.DoubleKind:
			out[name] = protowire.AppendFixed32(protowire.AppendTag(nil, fd.Number(), protowire.Fixed32Type), 1)
		default: // varints (packed or not, a repeated one takes bytes too)
			out[name] = protowire.AppendFixed64(protowire.AppendTag(nil, fd.Number(), protowire.Fixed64Type), 1)
		}
		if fd.Kind() == protoreflect.MessageKind && depth <= 4 {
			for sub, p := range wrongWireTypePayloads(fd.Message(), name+".", depth+1) {
				out[sub] = protowire.AppendBytes(protowire.AppendTag(nil, fd.Number(), protowire.BytesType), p)
			}
		}
	}
	return out
}

// FuzzUnmarshalMatchesProto extends TestUnmarshalMatchesProto to arbitrary
// payloads: go test -fuzz FuzzUnmarshalMatchesProto ./proto/telemetry/v1
func FuzzUnmarshalMatchesProto(f *testing.F) {
	valid, err := proto.Marshal(full())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte{0x0a, 0x01, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		if len(p) > 0 && p[0] == '{' {
			return // JSON: protojson on both sides
		}
		checkMatchesProto(t, "fuzz", p)
	})
}

// TestPooledBatchesStartEmpty: a batch given back to the pool and decoded
// again carries nothing over from its previous payload.
func TestPooledBatchesStartEmpty(t *testing.T) {
	big, err := proto.Marshal(full())
	if err != nil {
		t.Fatal(err)
	}
	small, err := proto.Marshal(&Batch{DeviceId: "d2", Seq: 9, Models: []*ModelWindow{{Model: "k", Errors: []*ErrorCount{{Kind: "x", Count: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Unmarshal(big)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b.ResetVT() // what ReturnToVTPool does before the pool hands b out again
		if err := b.UnmarshalVT(small); err != nil {
			t.Fatal(err)
		}
		want := new(Batch)
		if err := proto.Unmarshal(small, want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(b, want) {
			t.Fatalf("reused batch = %v, want %v", b, want)
		}
	}
}

func TestUnmarshalRejectsGarbage(t *testing.T) {
	for _, p := range [][]byte{{0xff, 0xff, 0xff}, []byte("{not json")} {
		if _, err := Unmarshal(p); err == nil {
			t.Fatalf("Unmarshal(%q) succeeded", p)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	if e, err := ParseEncoding(""); err != nil || e != EncodingProtobuf {
		t.Fatalf("default = %q, %v", e, err)
	}
	if _, err := ParseEncoding("xml"); err == nil {
		t.Fatal("xml accepted")
	}
}
