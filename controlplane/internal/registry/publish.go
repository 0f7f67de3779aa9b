package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/controlplane/internal/inspection"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Publish stores body as model version name/version. The body is streamed
// to a staging file while hashed; an identical re-upload returns the
// existing version with created=false, different content fails with
// ErrConflict. Only for validation is the file read into memory, once.
func (r *Registry) Publish(ctx context.Context, name, version string, body io.Reader) (v Version, created bool, err error) {
	if err := ValidateName("name", name); err != nil {
		return Version{}, false, err
	}
	if err := ValidateName("version", version); err != nil {
		return Version{}, false, err
	}
	staged, err := r.stage(body)
	if err != nil {
		return Version{}, false, err
	}
	defer os.Remove(staged.path)

	if existing, err := r.load(name, version); err == nil {
		return r.sameOrConflict(existing, staged.sha256)
	} else if !errors.Is(err, ErrNotFound) {
		return Version{}, false, err
	}

	report, err := inspectFile(ctx, staged.path)
	if err != nil {
		return Version{}, false, err
	}

	st := storedVersion{Info: Version{
		Model: name, Version: version, SHA256: staged.sha256, Size: staged.size,
		Inputs: report.Inputs, Outputs: report.Outputs, Ops: ops(report),
		ArenaBytes: report.ArenaBytes, CreatedAt: r.now().UTC(),
		BlobKey: fmt.Sprintf("models/%s/%s/%s.tflite", name, version, staged.sha256),
	}}
	probe := report.Probe
	st.Signed, err = manifest.Sign(manifest.Manifest{
		Name: name, Version: version, SHA256: st.Info.SHA256, Size: st.Info.Size,
		Inputs: st.Info.Inputs, Outputs: st.Info.Outputs, Ops: report.OpNames(),
		ArenaBytes: st.Info.ArenaBytes, CreatedAt: st.Info.CreatedAt, Probe: &probe,
	}, r.key)
	if err != nil {
		return Version{}, false, fmt.Errorf("registry: %w", err)
	}

	if err := r.upload(ctx, st.Info.BlobKey, staged); err != nil {
		return Version{}, false, err
	}
	return r.commit(ctx, st)
}

// staged is an upload written to a temporary file.
type staged struct {
	path   string
	size   int64
	sha256 string
}

func (r *Registry) stage(body io.Reader) (staged, error) {
	if err := os.MkdirAll(r.tmp, 0o700); err != nil {
		return staged{}, fmt.Errorf("registry: staging directory: %w", err)
	}
	f, err := os.CreateTemp(r.tmp, "upload-*.tflite")
	if err != nil {
		return staged{}, fmt.Errorf("registry: staging file: %w", err)
	}
	ok := false
	defer func() {
		f.Close()
		if !ok {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	// One byte past the limit tells "exactly at the limit" from "over".
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, r.max+1))
	if err != nil {
		return staged{}, fmt.Errorf("registry: receive model: %w", err)
	}
	if n > r.max {
		return staged{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.max)
	}
	if n == 0 {
		return staged{}, ErrEmpty
	}
	if err := f.Close(); err != nil {
		return staged{}, fmt.Errorf("registry: staging file: %w", err)
	}
	ok = true
	return staged{path: f.Name(), size: n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

// inspectFile reads the staged file into memory (the one in-memory copy)
// for the engine; the buffer is dropped when this returns.
func inspectFile(ctx context.Context, path string) (inspection.Report, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return inspection.Report{}, fmt.Errorf("registry: read staged model: %w", err)
	}
	return inspection.Inspect(ctx, buf)
}

func (r *Registry) upload(ctx context.Context, key string, s staged) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("registry: reopen staged model: %w", err)
	}
	defer f.Close()
	info, err := r.blobs.Put(ctx, key, f, s.size)
	if err != nil {
		return fmt.Errorf("registry: store model file: %w", err)
	}
	if info.SHA256 != s.sha256 {
		return fmt.Errorf("registry: stored file hashes to %s, upload hashed to %s", info.SHA256, s.sha256)
	}
	return nil
}

func (r *Registry) sameOrConflict(existing storedVersion, sha string) (Version, bool, error) {
	if existing.Info.SHA256 == sha {
		return existing.Info, false, nil
	}
	return Version{}, false, fmt.Errorf("%w: %s/%s has sha256 %s, upload has %s",
		ErrConflict, existing.Info.Model, existing.Info.Version, existing.Info.SHA256, sha)
}

// commit records the version unless a concurrent upload got there first.
func (r *Registry) commit(ctx context.Context, st storedVersion) (Version, bool, error) {
	var winner *storedVersion
	err := r.db.Update(func(tx *bolt.Tx) error {
		vb, mb := tx.Bucket([]byte(VersionsBucket)), tx.Bucket([]byte(ModelsBucket))
		key := versionKey(st.Info.Model, st.Info.Version)
		var prev storedVersion
		if err := meta.Get(vb, key, &prev); err == nil {
			winner = &prev
			return nil
		}
		if err := meta.Put(vb, key, st); err != nil {
			return err
		}
		var m Model
		if err := meta.Get(mb, st.Info.Model, &m); err != nil {
			m = Model{Name: st.Info.Model, CreatedAt: st.Info.CreatedAt}
		}
		m.Versions++
		m.LatestVersion = st.Info.Version
		m.UpdatedAt = st.Info.CreatedAt
		return meta.Put(mb, st.Info.Model, m)
	})
	if err != nil {
		return Version{}, false, fmt.Errorf("registry: record %s/%s: %w", st.Info.Model, st.Info.Version, err)
	}
	if winner != nil {
		if winner.Info.BlobKey != st.Info.BlobKey {
			r.removeBlob(ctx, st.Info.BlobKey)
		}
		return r.sameOrConflict(*winner, st.Info.SHA256)
	}
	r.log.Info("model version published", "model", st.Info.Model, "version", st.Info.Version, "sha256", st.Info.SHA256, "size", st.Info.Size)
	return st.Info, true, nil
}

func ops(r inspection.Report) []Op {
	out := make([]Op, len(r.Ops))
	for i, o := range r.Ops {
		out[i] = Op{Index: o.Index, Name: o.Name, Version: o.Version}
	}
	return out
}
