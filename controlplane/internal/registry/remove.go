package registry

import (
	"context"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
)

// Open streams a version's model file.
func (r *Registry) Open(ctx context.Context, name, version string) (io.ReadCloser, Version, error) {
	v, err := r.Get(ctx, name, version)
	if err != nil {
		return nil, Version{}, err
	}
	rc, _, err := r.blobs.Open(ctx, v.BlobKey)
	if err != nil {
		return nil, Version{}, fmt.Errorf("registry: open %s/%s: %w", name, version, err)
	}
	return rc, v, nil
}

// PresignBlob returns a short-lived direct download URL, or an error
// wrapping blob.ErrNoPresign when the store cannot make one.
func (r *Registry) PresignBlob(ctx context.Context, name, version string, ttl time.Duration) (string, error) {
	v, err := r.Get(ctx, name, version)
	if err != nil {
		return "", err
	}
	u, err := r.blobs.PresignGet(ctx, v.BlobKey, ttl)
	if err != nil {
		return "", fmt.Errorf("registry: presign %s/%s: %w", name, version, err)
	}
	return u, nil
}

// Delete removes a version unless a device or rollout still uses it.
func (r *Registry) Delete(ctx context.Context, name, version string) error {
	v, err := r.Get(ctx, name, version)
	if err != nil {
		return err
	}
	var users []string
	for _, f := range r.users {
		u, err := f(ctx, name, version)
		if err != nil {
			return fmt.Errorf("registry: delete %s/%s: %w", name, version, err)
		}
		users = append(users, u...)
	}
	if len(users) > 0 {
		return fmt.Errorf("registry: delete %s/%s: %w", name, version, &InUseError{Users: users})
	}
	err = r.db.Update(func(tx *bolt.Tx) error {
		vb, mb := tx.Bucket([]byte(VersionsBucket)), tx.Bucket([]byte(ModelsBucket))
		if err := vb.Delete([]byte(versionKey(name, version))); err != nil {
			return err
		}
		var m Model
		if err := meta.Get(mb, name, &m); err != nil {
			return nil
		}
		m.Versions--
		if m.Versions <= 0 {
			return mb.Delete([]byte(name))
		}
		if m.LatestVersion == version {
			m.LatestVersion = latest(vb, name)
		}
		return meta.Put(mb, name, m)
	})
	if err != nil {
		return fmt.Errorf("registry: delete %s/%s: %w", name, version, err)
	}
	r.removeBlob(ctx, v.BlobKey)
	r.log.Info("model version deleted", "model", name, "version", version)
	return nil
}

// latest returns the most recently created remaining version of name.
func latest(vb *bolt.Bucket, name string) string {
	var best storedVersion
	c := vb.Cursor()
	prefix := []byte(name + "/")
	for k, _ := c.Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		var st storedVersion
		if meta.Get(vb, string(k), &st) == nil && !st.Info.CreatedAt.Before(best.Info.CreatedAt) {
			best = st
		}
	}
	return best.Info.Version
}

// removeBlob deletes a file whose record is gone; failure only leaves an
// orphan behind, so it is logged rather than returned.
func (r *Registry) removeBlob(ctx context.Context, key string) {
	if err := r.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
		r.log.Warn("could not delete model file; it is now an orphan", "key", key, "err", err)
	}
}
