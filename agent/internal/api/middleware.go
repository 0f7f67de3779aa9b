package api

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"
)

// instrument wraps a route's handler with what every route needs: panic
// recovery, JSON error answers and the request counter.
func (s *Server) instrument(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.recovered(c, h); err != nil {
			s.handleEchoError(err, c)
		}
		s.countRequest(c)
		return nil
	}
}

// recovered runs h, turning a panic into an error logged with its stack,
// so the client gets a 500 and the agent keeps serving.
func (s *Server) recovered(c echo.Context, h echo.HandlerFunc) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r) // net/http's way to abort a response silently
		}
		var ok bool
		if err, ok = r.(error); !ok {
			err = fmt.Errorf("%v", r)
		}
		s.log.Error("panic in handler", "path", c.Request().URL.Path, "err", err, "stack", string(debug.Stack()))
	}()
	return h(c)
}

// answerUnrouted is echo's error handler: it sees only what no route
// handled (instrument answers the rest).
func (s *Server) answerUnrouted(err error, c echo.Context) {
	s.handleEchoError(err, c)
	s.countRequest(c)
}

// limitBody caps the request body; reads beyond it fail with
// *http.MaxBytesError, which fail() turns into 413. A declared length
// within the limit needs no wrapper: the server never reads past it.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > s.opts.BodyLimit {
			return s.fail(c, "", &http.MaxBytesError{Limit: s.opts.BodyLimit})
		}
		if req.ContentLength < 0 {
			req.Body = http.MaxBytesReader(c.Response(), req.Body, s.opts.BodyLimit)
		}
		return next(c)
	}
}
