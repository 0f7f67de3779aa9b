// Package install decides whether a model version may be stored and run on
// this device, and moves it through verify → store → activate.
//
// Verify is the gate: the manifest's ed25519 signature against the trusted
// keys, the blob's size and sha256, that the engine loads it, that its
// input/output signature equals the manifest's, and that the manifest's
// probe produces exactly the output the control plane recorded. Installer
// applies the same gate on import, on activation and on rollback (the
// stored blob is re-read and re-checked each time), so a version that fails
// any check never becomes active.
//
// The same operations are offered to the `models` CLI over the running
// agent's local API: AdminHandler serves them and Client calls them.
package install
