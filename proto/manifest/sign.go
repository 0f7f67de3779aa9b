package manifest

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// SignatureDomain is prepended to the canonical bytes before signing, so a
// manifest signature can never be mistaken for a signature over anything
// else, and so a future encoding can use a new domain.
const SignatureDomain = "edgefleet-manifest-v1\n"

// Verification errors, matched with errors.Is.
var (
	// ErrUnsigned: the manifest carries no signature.
	ErrUnsigned = errors.New("manifest is not signed")
	// ErrBadSignature: the signature does not match the manifest under
	// the named key (the manifest or the signature was altered).
	ErrBadSignature = errors.New("manifest signature is invalid")
	// ErrUnknownKey: the manifest was signed by a key that is not trusted.
	ErrUnknownKey = errors.New("manifest signed by an untrusted key")
)

// Signed is a manifest with its signature, as the control plane serves it
// (`edgefleetctl model manifest N V`) and as `models import --manifest`
// reads it.
type Signed struct {
	Manifest Manifest `json:"manifest"`
	// KeyID names the signing key (KeyID of its public half).
	KeyID string `json:"key_id"`
	// Signature is ed25519 over SignatureDomain + Manifest.Canonical()
	// (base64 in JSON).
	Signature []byte `json:"signature"`
}

// Sign signs m with key.
func Sign(m Manifest, key ed25519.PrivateKey) (Signed, error) {
	if len(key) != ed25519.PrivateKeySize {
		return Signed{}, fmt.Errorf("sign %s/%s: private key is %d bytes, want %d", m.Name, m.Version, len(key), ed25519.PrivateKeySize)
	}
	msg, err := signedBytes(&m)
	if err != nil {
		return Signed{}, fmt.Errorf("sign: %w", err)
	}
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		return Signed{}, fmt.Errorf("sign %s/%s: private key has no ed25519 public half", m.Name, m.Version)
	}
	return Signed{Manifest: m, KeyID: KeyID(pub), Signature: ed25519.Sign(key, msg)}, nil
}

// Verify checks the signature against the trusted keys. It fails with
// ErrUnsigned when there is no signature, ErrUnknownKey when no trusted key
// has the manifest's key id, ErrBadSignature when the signature does not
// match, and ErrInvalid when the manifest breaks the field rules.
func (s Signed) Verify(trusted []PublicKey) error {
	what := s.Manifest.Name + "/" + s.Manifest.Version
	if len(s.Signature) == 0 && s.KeyID == "" {
		return fmt.Errorf("%s: %w", what, ErrUnsigned)
	}
	msg, err := signedBytes(&s.Manifest)
	if err != nil {
		return fmt.Errorf("verify %s: %w", what, err)
	}
	var key *PublicKey
	for i := range trusted {
		if trusted[i].KeyID == s.KeyID {
			key = &trusted[i]
			break
		}
	}
	if key == nil {
		return fmt.Errorf("%s: %w: key_id %q is not among the %d trusted keys", what, ErrUnknownKey, s.KeyID, len(trusted))
	}
	if err := key.Validate(); err != nil {
		return fmt.Errorf("verify %s: trusted key %q: %w", what, key.KeyID, err)
	}
	if len(s.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("%s: %w: signature is %d bytes, want %d", what, ErrBadSignature, len(s.Signature), ed25519.SignatureSize)
	}
	if !ed25519.Verify(ed25519.PublicKey(key.PublicKey), msg, s.Signature) {
		return fmt.Errorf("%s: %w: does not match the manifest under key %q", what, ErrBadSignature, key.KeyID)
	}
	return nil
}

// IsSigned reports whether s carries a signature at all.
func (s Signed) IsSigned() bool { return len(s.Signature) != 0 || s.KeyID != "" }

func signedBytes(m *Manifest) ([]byte, error) {
	c, err := m.Canonical()
	if err != nil {
		return nil, err
	}
	return append([]byte(SignatureDomain), c...), nil
}
