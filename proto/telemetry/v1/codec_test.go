package telemetryv1

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestRoundTrip(t *testing.T) {
	b := &Batch{DeviceId: "d1", BootId: "boot", Seq: 42, DroppedBatches: 3,
		WindowStart: timestamppb.New(timestamppb.Now().AsTime()),
		Models:      []*ModelWindow{{Model: "m", Version: "1", Requests: 7, Errors: map[string]uint64{"invoke": 1}, Top1: map[uint32]uint64{2: 6}}}}
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
