package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Decode reads a manifest document: a Signed object ({"manifest": ...,
// "key_id": ..., "signature": ...}) or a bare Manifest object, which yields
// an unsigned Signed (useful only where unsigned models are allowed). It
// does not verify anything.
func Decode(data []byte) (Signed, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return Signed{}, fmt.Errorf("decode manifest: %w", err)
	}
	if _, ok := probe["manifest"]; ok {
		var s Signed
		if err := json.Unmarshal(data, &s); err != nil {
			return Signed{}, fmt.Errorf("decode signed manifest: %w", err)
		}
		return s, nil
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return Signed{}, fmt.Errorf("decode manifest: %w", err)
	}
	return Signed{Manifest: m}, nil
}
