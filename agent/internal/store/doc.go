// Package store is the agent's crash-safe local database: one bbolt file,
// DIR/agent.db, holding model blobs, their signed manifests, which version of
// each model is active and previous, and small agent state.
//
// Layout (bbolt buckets):
//
//	meta       "schema" → decimal schema version
//	blobs      sha256 hex → model file bytes
//	manifests  "name/version" → manifest.Signed JSON
//	pointers   name → {"active": version, "previous": version} JSON
//	state      key → opaque bytes (identity, telemetry sequence, ...)
//
// Invariants, kept by every method and checked by Check:
//
//  1. Every manifest's blob exists under its SHA256 and the blob's sha256 and
//     length equal the manifest's SHA256 and Size.
//  2. Every pointer's active and previous versions name manifests of that
//     model; previous is empty or differs from active.
//  3. Every blob is named by at least one manifest (Delete collects blobs).
//
// Every change is one bbolt transaction, and bbolt commits are atomic and
// fsync'ed, so a crash (kill -9, power cut) leaves either the state before or
// the state after a change. A blob is written, with its sha256 recomputed
// from the bytes, in the same transaction as the manifest naming it, and a
// pointer can only name a manifest that is already committed; Activate and
// Rollback recompute the target blob's sha256 inside the transaction that
// moves the pointer.
//
// Other agent packages (the telemetry spool) may keep buckets of their own
// in the same file through DB; they never touch the buckets above.
//
// The store checks integrity, not trust: verifying signatures and running
// the probe is package install's job, before it calls PutModel or Activate.
//
// Values bbolt returns are valid only inside their transaction; every method
// returns copies. A Store is safe for concurrent use. bbolt locks the file
// exclusively, so only one process opens it at a time: Open fails with
// ErrLocked after Options.Timeout when a running agent holds it.
package store
