package api

import (
	"io"
	"net/http"
	"sync"

	"github.com/edgefleet/edgefleet/proto/inference"
)

// maxPooledBytes bounds the buffers a scratch keeps between requests: a
// rare huge request should not pin its buffers for the pool's lifetime.
const maxPooledBytes = 256 << 10

// maxPresize bounds the body buffer allocated from a declared length
// before any data came: a client announcing megabytes and sending nothing
// must not make the agent allocate them.
const maxPresize = 64 << 10

// scratch is one inference request's reusable working memory: the body,
// the decoded request, parsed values, encoded tensors and the response.
// Servers take one per request from a scratchPool.
type scratch struct {
	body    []byte
	req     inference.InferRequest
	parser  inference.ArrayParser
	tensors []byte   // every input tensor, back to back
	inputs  [][]byte // views of tensors, in model order
	offsets []int    // where each model input starts in tensors
	outIdx  []int    // selected outputs, in response order
	outRaw  []bool   // whether each selected output is sent raw
	resp    []byte
}

// scratchPool recycles scratches (a sync.Pool of *scratch).
type scratchPool struct{ p sync.Pool }

func (sp *scratchPool) get() *scratch {
	if s, ok := sp.p.Get().(*scratch); ok {
		return s
	}
	return new(scratch)
}

// put returns s unless a buffer grew past maxPooledBytes.
func (sp *scratchPool) put(s *scratch) {
	if cap(s.body) > maxPooledBytes || cap(s.tensors) > maxPooledBytes || cap(s.resp) > maxPooledBytes || s.parser.Footprint() > maxPooledBytes {
		return
	}
	sp.p.Put(s)
}

// readBody reads the whole request body into s.body with io.ReadAll's
// results and errors (e.g. *http.MaxBytesError), sizing the buffer from
// the declared length when there is one.
func (s *scratch) readBody(r *http.Request) ([]byte, error) {
	buf := s.body[:0]
	// One spare byte, so a reader that reports EOF after the data needs no
	// second buffer; beyond maxPresize the buffer grows as data comes.
	if want := min(r.ContentLength+1, maxPresize); want > 1 && int64(cap(buf)) < want {
		buf = make([]byte, 0, want)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		k, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil {
			s.body = buf
			if err == io.EOF {
				err = nil
			}
			return buf, err
		}
	}
}
