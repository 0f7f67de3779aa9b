package install

import "errors"

// Verification failures, matched with errors.Is. Signature failures use
// the manifest package's ErrUnsigned, ErrBadSignature and ErrUnknownKey.
var (
	// ErrIntegrity: the blob's size or sha256 differs from the manifest.
	ErrIntegrity = errors.New("model blob does not match its manifest")
	// ErrModel: the engine cannot load or run the blob.
	ErrModel = errors.New("model cannot be loaded")
	// ErrSignatureMismatch: the model's inputs or outputs differ from the
	// manifest's I/O signature.
	ErrSignatureMismatch = errors.New("model I/O signature differs from the manifest")
	// ErrNoProbe: the manifest carries no probe, so the version cannot be
	// self-tested and is refused.
	ErrNoProbe = errors.New("manifest has no probe")
	// ErrProbeMismatch: running the probe gave a different output.
	ErrProbeMismatch = errors.New("probe output differs from the manifest")
)
