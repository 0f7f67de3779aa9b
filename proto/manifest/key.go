package manifest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// AlgorithmEd25519 is the only signing algorithm.
const AlgorithmEd25519 = "ed25519"

// ErrBadKey marks a malformed public-key document.
var ErrBadKey = errors.New("invalid public key")

// PublicKey is a trusted signing key. Its JSON is the body of the control
// plane's GET /api/v1/signing-key and the content of the agent's
// --trusted-key file.
type PublicKey struct {
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"`
	// PublicKey is the raw 32-byte ed25519 key (base64 in JSON).
	PublicKey []byte `json:"public_key"`
}

// KeyID derives a key's id: the first 16 hex digits of sha256(pub).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// NewPublicKey wraps an ed25519 public key in its document form.
func NewPublicKey(pub ed25519.PublicKey) PublicKey {
	return PublicKey{KeyID: KeyID(pub), Algorithm: AlgorithmEd25519, PublicKey: bytes.Clone(pub)}
}

// Validate checks the algorithm, the key length and that KeyID is the
// key's derived id (so a document cannot claim another key's id).
func (k PublicKey) Validate() error {
	if k.Algorithm != AlgorithmEd25519 {
		return fmt.Errorf("%w: algorithm %q, want %q", ErrBadKey, k.Algorithm, AlgorithmEd25519)
	}
	if len(k.PublicKey) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public_key is %d bytes, want %d", ErrBadKey, len(k.PublicKey), ed25519.PublicKeySize)
	}
	if want := KeyID(k.PublicKey); k.KeyID != want {
		return fmt.Errorf("%w: key_id %q does not match the key (derived id %q)", ErrBadKey, k.KeyID, want)
	}
	return nil
}

// ParsePublicKeys reads a key document: one PublicKey object (the
// signing-key endpoint's body) or a JSON array of them (for rotation). Every
// key is validated.
func ParsePublicKeys(data []byte) ([]PublicKey, error) {
	data = bytes.TrimSpace(data)
	var keys []PublicKey
	if len(data) > 0 && data[0] == '[' {
		if err := strictUnmarshal(data, &keys); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadKey, err)
		}
	} else {
		var k PublicKey
		if err := strictUnmarshal(data, &k); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadKey, err)
		}
		keys = []PublicKey{k}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: the document lists no keys", ErrBadKey)
	}
	for i, k := range keys {
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
	}
	return keys, nil
}

// strictUnmarshal rejects unknown fields, so a document of the wrong kind
// (say, a manifest) is not mistaken for an empty key.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
