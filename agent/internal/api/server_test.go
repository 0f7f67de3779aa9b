package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeSlowClientAndShutdown runs the real http.Server: a client that
// never finishes its headers is cut off by ReadHeaderTimeout, and
// cancelling the context stops Serve promptly.
func TestServeSlowClientAndShutdown(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	sock := filepath.Join(t.TempDir(), "api.sock")
	ls, err := Listen("127.0.0.1:0", sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- f.srv.Serve(ctx, ls, Timeouts{ReadHeader: 200 * time.Millisecond, Read: time.Second, Write: time.Second, Idle: time.Second}, time.Second)
	}()
	addr := ls[0].Addr().String()

	resp, err := http.Get("http://" + addr + "/v2/health/live")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("live: %d", resp.StatusCode)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn)
	if elapsed := time.Since(start); err != nil || elapsed > 3*time.Second {
		t.Fatalf("slow client not cut off: read error %v after %v", err, elapsed)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get("http://" + addr + "/v2/health/live"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestListenErrors(t *testing.T) {
	dir := t.TempDir()
	notSocket := filepath.Join(dir, "file")
	if err := os.WriteFile(notSocket, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen("", notSocket); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("regular file as socket: %v", err)
	}
	if _, err := Listen("256.0.0.1:1", ""); err == nil || !strings.Contains(err.Error(), "http_addr") {
		t.Fatalf("bad address: %v", err)
	}
	// A stale socket from a crash is replaced.
	sock := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	ls, err := Listen("", sock)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	for _, l := range ls {
		l.Close()
	}
}

func TestNewRequiresRuntime(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without runtime succeeded")
	}
	f := newFixture(t, fixtureOpts{})
	// One Metrics serves one server: a second attach would double-register.
	if _, err := New(Options{Runtime: f.rt, Metrics: f.srv.opts.Metrics, BodyLimit: 1}); err == nil {
		t.Fatal("second server on the same Metrics succeeded")
	}
}
