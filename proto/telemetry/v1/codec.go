package telemetryv1

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
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
//
// Protobuf payloads go through the generated UnmarshalVT, without
// reflection and into a batch from the generated pool: the control plane
// decodes every batch of the fleet. A caller that is done with the batch
// and has not shared it may give it back with ReturnToVTPool; one that
// does not leaves it to the garbage collector.
//
// proto.Unmarshal remains the arbiter of what is malformed, since the
// generated decoder differs from it at the edges: it refuses a known field
// with an unexpected wire type (proto.Unmarshal keeps it as an unknown
// field), skips unknown fields with looser checks (group end tags, field
// numbers) and checks no UTF-8. So only a payload that plainWire accepts
// and UnmarshalVT decodes takes the fast path; any other is decoded by
// proto.Unmarshal, which accepts or rejects it exactly as it always did.
// Agents send no such payloads, so in practice nothing is decoded twice.
func Unmarshal(payload []byte) (*Batch, error) {
	if len(payload) > 0 && payload[0] == '{' {
		b := new(Batch)
		if err := protojson.Unmarshal(payload, b); err != nil {
			return nil, fmt.Errorf("decode telemetry batch: %w", err)
		}
		return b, nil
	}
	if batchShape().plainWire(payload, 0) {
		b := BatchFromVTPool()
		if b.UnmarshalVT(payload) == nil {
			return b, nil
		}
		b.ReturnToVTPool()
	}
	b := new(Batch)
	if err := proto.Unmarshal(payload, b); err != nil {
		return nil, fmt.Errorf("decode telemetry batch: %w", err)
	}
	return b, nil
}

// batchShape is Batch's wire shape, derived from its descriptor on first
// use (package variables are initialized before the descriptors are).
var batchShape = sync.OnceValue(func() *wireShape {
	return newWireShape((&Batch{}).ProtoReflect().Descriptor(), map[protoreflect.FullName]*wireShape{})
})

// wireShape is what plainWire needs to know about a message's fields.
type wireShape struct {
	fields []wireField // by field number
}

type wireField struct {
	kind fieldKind
	msg  *wireShape // of a message field
}

type fieldKind uint8

const (
	fieldNone    fieldKind = iota // a number the message does not have
	fieldScalar                   // UnmarshalVT checks its wire type
	fieldString                   // must be valid UTF-8
	fieldMessage                  // checked in turn
)

// newWireShape derives md's shape; seen holds the shapes under
// construction, for messages that contain themselves.
func newWireShape(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]*wireShape) *wireShape {
	if s, ok := seen[md.FullName()]; ok {
		return s
	}
	s := new(wireShape)
	seen[md.FullName()] = s
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		n := int(fd.Number())
		if n >= len(s.fields) {
			s.fields = append(s.fields, make([]wireField, n+1-len(s.fields))...)
		}
		switch fd.Kind() {
		case protoreflect.StringKind:
			s.fields[n].kind = fieldString
		case protoreflect.MessageKind:
			s.fields[n] = wireField{kind: fieldMessage, msg: newWireShape(fd.Message(), seen)}
		default:
			s.fields[n].kind = fieldScalar
		}
	}
	return s
}

// maxPlainDepth bounds how deep plainWire follows nested messages; deeper
// payloads are left to proto.Unmarshal and its own limit.
const maxPlainDepth = 32

// plainWire reports whether p, at nesting depth, holds only fields the
// message has, strings and messages length-delimited, every string valid
// UTF-8: what proto.Unmarshal checks and UnmarshalVT does not. (A scalar
// field with the wrong wire type, UnmarshalVT refuses.)
func (s *wireShape) plainWire(p []byte, depth int) bool {
	if depth > maxPlainDepth {
		return false
	}
	for len(p) > 0 {
		num, typ, n := protowire.ConsumeTag(p)
		if n < 0 || int(num) >= len(s.fields) {
			return false
		}
		p = p[n:]
		switch f := s.fields[num]; f.kind {
		case fieldNone:
			return false
		case fieldString, fieldMessage:
			v, n := protowire.ConsumeBytes(p)
			if typ != protowire.BytesType || n < 0 {
				return false
			}
			if f.kind == fieldString && !utf8.Valid(v) || f.kind == fieldMessage && !f.msg.plainWire(v, depth+1) {
				return false
			}
			p = p[n:]
		default:
			if n = protowire.ConsumeFieldValue(num, typ, p); n < 0 {
				return false
			}
			p = p[n:]
		}
	}
	return true
}
