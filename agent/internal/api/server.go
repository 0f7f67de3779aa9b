package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
)

// Catalog tells whether a model is installed in the store, to tell "no
// such model" (404) from "installed but nothing active yet" (503).
type Catalog interface {
	HasModel(name string) bool
}

// Options configure a Server.
type Options struct {
	Runtime *runtime.Runtime
	// Metrics must be the Observer given to the runtime, so inference
	// counts and latencies reach GET /metrics.
	Metrics *Metrics
	// Catalog may be nil: then every unloaded model is unknown (404).
	Catalog Catalog
	// Admin, when set, serves /admin/v1/... (install.NewAdminHandler); it
	// applies its own upload limit.
	Admin http.Handler
	// BodyLimit caps inference request bodies (413 beyond).
	BodyLimit int64
	// RequestTimeout bounds one inference's queueing and run.
	RequestTimeout time.Duration
	// Version is reported by GET /v2.
	Version string
	Logger  *slog.Logger
}

// Server is the local API.
type Server struct {
	opts    Options
	log     *slog.Logger
	e       *echo.Echo
	scratch scratchPool
	headers *headerValues
	// closed is a closed channel, the Done of released contexts.
	closed chan struct{}
}

// New builds the API's routes.
func New(opts Options) (*Server, error) {
	if opts.Runtime == nil || opts.Metrics == nil {
		return nil, errors.New("api: Options.Runtime and Options.Metrics are required")
	}
	if opts.BodyLimit <= 0 {
		return nil, fmt.Errorf("api: body limit %d, want > 0", opts.BodyLimit)
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, log: opts.Logger, headers: newHeaderValues(), closed: make(chan struct{})}
	close(s.closed)
	if err := opts.Metrics.attach(opts.Runtime); err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.answerUnrouted
	// Every route is wrapped once here rather than with e.Use or group
	// middleware, which echo re-applies (allocating) on every request.
	route := s.instrument
	limited := func(h echo.HandlerFunc) echo.HandlerFunc { return s.instrument(s.limitBody(h)) }

	e.GET("/v2", route(s.serverMetadata))
	e.GET("/v2/health/live", route(s.live))
	e.GET("/v2/health/ready", route(s.ready))
	e.GET("/metrics", route(echo.WrapHandler(opts.Metrics.Handler())))

	e.GET("/v2/models/:name", limited(s.modelMetadata))
	e.GET("/v2/models/:name/versions/:version", limited(s.modelMetadata))
	e.GET("/v2/models/:name/ready", limited(s.modelReady))
	e.GET("/v2/models/:name/versions/:version/ready", limited(s.modelReady))
	e.POST("/v2/models/:name/infer", limited(s.infer))
	e.POST("/v2/models/:name/versions/:version/infer", limited(s.infer))
	// TF Serving puts the method after a colon ("/v1/models/m:predict"),
	// which echo cannot route, so the last parameter carries it.
	e.GET("/v1/models/:name", limited(s.modelStatus))
	e.GET("/v1/models/:name/versions/:version", limited(s.modelStatus))
	e.POST("/v1/models/:name", limited(s.predict))
	e.POST("/v1/models/:name/versions/:version", limited(s.predict))
	// Catch-alls, as a middleware group would register: any other path
	// or method gets a counted JSON 404 (not echo's 405).
	e.RouteNotFound("", limited(echo.NotFoundHandler))
	e.RouteNotFound("/*", limited(echo.NotFoundHandler))

	if opts.Admin != nil {
		e.Any("/admin/v1/*", route(echo.WrapHandler(opts.Admin)))
	}
	s.e = e
	return s, nil
}

// Handler returns the API as an http.Handler (tests use httptest with it).
func (s *Server) Handler() http.Handler { return s.e }

// Timeouts are the http.Server's slow-client protections.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// Serve serves the API on every listener until ctx ends, then shuts down
// gracefully: new connections are refused and in-flight requests get
// drain to finish. It returns the first serving error, if any.
func (s *Server) Serve(ctx context.Context, listeners []net.Listener, t Timeouts, drain time.Duration) error {
	conns := newConnTracker()
	srv := &http.Server{
		Handler:           s.e,
		ConnState:         conns.track,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		s.log.Info("local API listening", "addr", l.Addr().String(), "network", l.Addr().Network())
		go func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", l.Addr(), err)
			}
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(sctx) }()
	// Shutdown has stopped the listeners once it runs; fresh connections
	// opened before that would otherwise count as busy for five seconds.
	conns.closeFresh()
	if err := <-shut; err != nil {
		s.log.Warn("shutdown did not drain in time; closing connections", "drain", drain, "err", err)
		_ = srv.Close()
	}
	return serveErr
}

// Listen opens the TCP address and the unix socket that are not empty.
// The socket gets mode 0660; a stale socket file left by a crash is
// replaced, any other file at that path is an error.
func Listen(addr, socket string) ([]net.Listener, error) {
	var ls []net.Listener
	closeAll := func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on http_addr %s: %w", addr, err)
		}
		ls = append(ls, l)
	}
	if socket != "" {
		if fi, err := os.Lstat(socket); err == nil {
			if fi.Mode()&os.ModeSocket == 0 {
				closeAll()
				return nil, fmt.Errorf("unix_socket %s exists and is not a socket", socket)
			}
			if err := os.Remove(socket); err != nil {
				closeAll()
				return nil, fmt.Errorf("remove stale unix_socket %s: %w", socket, err)
			}
		}
		l, err := net.Listen("unix", socket)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen on unix_socket %s: %w", socket, err)
		}
		if err := os.Chmod(socket, 0o660); err != nil {
			_ = l.Close()
			closeAll()
			return nil, fmt.Errorf("chmod unix_socket %s: %w", socket, err)
		}
		ls = append(ls, l)
	}
	return ls, nil
}
