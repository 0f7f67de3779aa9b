// Package manifest defines the signed model manifest that the control plane
// publishes and the agent verifies before a model version may run, and the
// public-key document the agent trusts.
//
// A Manifest names one model version: its blob's sha256 and size, its input
// and output signature, the operators it uses, the arena it needs, when it
// was created, and a Probe (an input plus the sha256 of the exact output the
// control plane computed for it). The control plane signs the manifest's
// canonical encoding (see Manifest.Canonical) with ed25519; the agent checks
// the signature against its trusted keys (Signed.Verify), then checks the
// blob and runs the probe itself.
//
// The package has no behaviour beyond encoding, signing and verifying: it
// does not parse models (proto never imports tflite).
package manifest
