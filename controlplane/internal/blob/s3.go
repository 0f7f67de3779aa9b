package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3 bucket.
type S3Config struct {
	Endpoint  string // host:port, no scheme
	Bucket    string
	AccessKey string
	SecretKey string
	TLS       bool
	Region    string
}

// S3 stores objects in an S3 bucket through minio-go.
type S3 struct {
	c      *minio.Client
	bucket string
	desc   string
}

// partSize bounds the memory one upload of unknown size or a large object
// holds: minio-go buffers one part at a time for plain readers.
const partSize = 16 << 20

// NewS3 connects to the bucket described by cfg, creating the bucket when it
// is missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, fmt.Errorf("blob: s3: endpoint %q and bucket %q are both required", cfg.Endpoint, cfg.Bucket)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client for %s: %w", cfg.Endpoint, err)
	}
	s := &S3{c: c, bucket: cfg.Bucket, desc: fmt.Sprintf("S3 bucket %q at %s (tls=%v)", cfg.Bucket, cfg.Endpoint, cfg.TLS)}
	ok, err := bucketExists(ctx, c, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			// Another replica may have created it in between.
			if exists, e2 := c.BucketExists(ctx, cfg.Bucket); e2 != nil || !exists {
				return nil, fmt.Errorf("blob: s3 create bucket %q: %w", cfg.Bucket, err)
			}
		}
	}
	return s, nil
}

// String names the backend for logs.
func (s *S3) String() string { return s.desc }

// Put streams r into the bucket. The reader is wrapped so minio-go sees a
// plain io.Reader and uploads part by part instead of reading at offsets,
// which lets the wrapper hash every byte exactly once.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	hr := newHashingReader(r, size)
	_, err := s.c.PutObject(ctx, s.bucket, key, hr, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    partSize,
	})
	if err == nil {
		err = hr.check(size)
	}
	if err != nil {
		// Best effort: a mismatched upload must not stay behind.
		if errors.Is(err, ErrSizeMismatch) {
			_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, minio.RemoveObjectOptions{})
		}
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return Info{Key: key, Size: hr.n, SHA256: hr.sum()}, nil
}

// Open starts a download of key.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.wrap("open", key, err)
	}
	return obj, info, nil
}

// Stat reports the object's size.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.wrap("stat", key, err)
	}
	return Info{Key: key, Size: st.Size}, nil
}

// Delete removes key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s.wrap("delete", key, err)
	}
	return nil
}

// PresignGet returns a presigned GET URL valid for ttl.
func (s *S3) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	u, err := s.c.PresignedGetObject(ctx, s.bucket, key, ttl, nil)
	if err != nil {
		return "", s.wrap("presign", key, err)
	}
	return u.String(), nil
}

// Ping checks that the bucket answers.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: ping bucket %q: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("blob: ping: bucket %q: %w", s.bucket, ErrNotFound)
	}
	return nil
}

func (s *S3) wrap(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("blob: %s %s: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}

// startupWait bounds how long NewS3 waits for a server that is still
// starting (MinIO answers "Server not initialized" for a moment after its
// listener opens, and containers start in any order).
const startupWait = 30 * time.Second

// bucketExists asks whether bucket exists, retrying while the server is
// unreachable or initialising; credential errors fail at once.
func bucketExists(ctx context.Context, c *minio.Client, bucket string) (bool, error) {
	deadline := time.Now().Add(startupWait)
	for delay := 100 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		ok, err := c.BucketExists(ctx, bucket)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return ok, err
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-time.After(delay):
		}
	}
}

// transient reports errors worth retrying at startup.
func transient(err error) bool {
	switch minio.ToErrorResponse(err).Code {
	case "XMinioServerNotInitialized", "ServiceUnavailable", "SlowDown":
		return true
	case "":
		return true // transport error: connection refused, reset
	}
	return false
}
