package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// hashingReader hashes and counts what passes through it and refuses to
// deliver more than limit bytes (limit < 0: no limit).
type hashingReader struct {
	r     io.Reader
	h     hash.Hash
	n     int64
	limit int64
}

func newHashingReader(r io.Reader, limit int64) *hashingReader {
	return &hashingReader{r: r, h: sha256.New(), limit: limit}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if h.limit >= 0 && h.n > h.limit {
		return n, fmt.Errorf("%w: body longer than announced %d bytes", ErrSizeMismatch, h.limit)
	}
	if err == io.EOF && h.limit >= 0 && h.n < h.limit {
		return n, fmt.Errorf("%w: body ended after %d of %d announced bytes", ErrSizeMismatch, h.n, h.limit)
	}
	return n, err
}

func (h *hashingReader) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// check compares the bytes read with the announced size.
func (h *hashingReader) check(size int64) error {
	if size >= 0 && h.n != size {
		return fmt.Errorf("%w: got %d bytes, announced %d", ErrSizeMismatch, h.n, size)
	}
	return nil
}
