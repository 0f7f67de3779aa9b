package api

import (
	"net"
	"net/http"
	"sync"
)

// connTracker remembers connections that have not started a request yet.
// http.Server.Shutdown counts such connections as busy for their first
// five seconds, so a client that opened a spare keep-alive connection would
// hold up every shutdown; closing them at shutdown is safe because they
// carry no request.
type connTracker struct {
	mu    sync.Mutex
	fresh map[net.Conn]struct{}
}

func newConnTracker() *connTracker {
	return &connTracker{fresh: make(map[net.Conn]struct{})}
}

// track is the http.Server ConnState hook.
func (t *connTracker) track(c net.Conn, state http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if state == http.StateNew {
		t.fresh[c] = struct{}{}
		return
	}
	delete(t.fresh, c)
}

// closeFresh closes every connection that has not started a request.
func (t *connTracker) closeFresh() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.fresh {
		_ = c.Close()
		delete(t.fresh, c)
	}
}
