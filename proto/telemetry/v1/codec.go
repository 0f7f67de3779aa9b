package telemetryv1

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Encoding selects the payload format of telemetry batches.
type Encoding string

// Encodings of a telemetry payload.
const (
	EncodingProtobuf Encoding = "protobuf"
	EncodingJSON     Encoding = "json"
)

// ParseEncoding validates an encoding name from configuration.
func ParseEncoding(s string) (Encoding, error) {
	switch Encoding(s) {
	case EncodingProtobuf, EncodingJSON:
		return Encoding(s), nil
	case "":
		return EncodingProtobuf, nil
	}
	return "", fmt.Errorf("telemetry encoding %q: want %q or %q", s, EncodingProtobuf, EncodingJSON)
}

var jsonOptions = protojson.MarshalOptions{UseProtoNames: true}

// Marshal encodes a batch in the given encoding.
func Marshal(b *Batch, enc Encoding) ([]byte, error) {
	if enc == EncodingJSON {
		return jsonOptions.Marshal(b)
	}
	return proto.Marshal(b)
}

// Unmarshal decodes a batch in either encoding: a payload starting with '{'
// is JSON (a protobuf Batch never starts with that byte, since 0x7b would
// be field 15, which Batch does not have).
func Unmarshal(payload []byte) (*Batch, error) {
	b := new(Batch)
	var err error
	if len(payload) > 0 && payload[0] == '{' {
		err = protojson.Unmarshal(payload, b)
	} else {
		err = proto.Unmarshal(payload, b)
	}
	if err != nil {
		return nil, fmt.Errorf("decode telemetry batch: %w", err)
	}
	return b, nil
}
