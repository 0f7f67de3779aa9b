package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/inference"
)

// badRequest marks a malformed request (bad JSON, missing fields) that is
// not about one input.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &badRequest{msg: fmt.Sprintf(format, args...)}
}

// notFound marks a route-level miss (e.g. an unknown TF Serving method).
type notFound struct{ msg string }

func (e *notFound) Error() string { return e.msg }

// retryAfterSeconds is what a 429 asks clients to wait: a tiny model's
// queue drains in far less, so one second is the HTTP minimum.
const retryAfterSeconds = "1"

// fail writes err as a JSON error with the status its kind calls for and
// counts it. model labels the metric only when it names a loaded model,
// so arbitrary URLs cannot grow the label set.
func (s *Server) fail(c echo.Context, model string, err error) error {
	status, kind := http.StatusInternalServerError, "internal"
	body := inference.ErrorResponse{Error: err.Error()}
	var (
		inputErr *inference.InputError
		tooBig   *http.MaxBytesError
		bad      *badRequest
		nf       *notFound
	)
	switch {
	case errors.As(err, &inputErr):
		status, kind, body = http.StatusBadRequest, "bad_request", inputErr.Response()
	case errors.As(err, &bad), errors.Is(err, runtime.ErrBadInput):
		status, kind = http.StatusBadRequest, "bad_request"
	case errors.As(err, &tooBig):
		status, kind = http.StatusRequestEntityTooLarge, "too_large"
		body.Error = fmt.Sprintf("request body exceeds the limit of %d bytes (http.body_limit)", tooBig.Limit)
	case errors.As(err, &nf):
		status, kind = http.StatusNotFound, "not_found"
	case errors.Is(err, runtime.ErrUnknownModel):
		status, kind = http.StatusNotFound, "not_found"
		if s.opts.Catalog != nil && s.opts.Catalog.HasModel(model) {
			status, kind = http.StatusServiceUnavailable, "no_active_version"
			body.Error = fmt.Sprintf("model %q is installed but has no active version", model)
		}
	case errors.Is(err, runtime.ErrVersionNotActive):
		status, kind = http.StatusNotFound, "not_found"
	case errors.Is(err, runtime.ErrQueueFull):
		status, kind = http.StatusTooManyRequests, "queue_full"
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	case errors.Is(err, runtime.ErrTimeout):
		status, kind = http.StatusServiceUnavailable, "timeout"
	case errors.Is(err, runtime.ErrInvoke):
		status, kind = http.StatusInternalServerError, "invoke"
	}
	if status >= 500 && kind != "no_active_version" {
		s.log.Warn("request failed", "path", c.Request().URL.Path, "status", status, "err", err)
	}
	s.opts.Metrics.countError(s.knownModel(model), kind)
	return c.JSON(status, body)
}

func (s *Server) knownModel(name string) string {
	if name == "" {
		return ""
	}
	if h, err := s.opts.Runtime.Acquire(name, ""); err == nil {
		h.Release()
		return name
	}
	return ""
}

// handleEchoError answers echo's own errors (unknown route, wrong method,
// recovered panics) in the same JSON shape.
func (s *Server) handleEchoError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	msg := err.Error()
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		msg = fmt.Sprint(he.Message)
	}
	if status >= 500 {
		s.log.Error("internal error", "path", c.Request().URL.Path, "err", err)
	}
	kind := "internal"
	switch status {
	case http.StatusNotFound:
		kind = "not_found"
	case http.StatusMethodNotAllowed:
		kind = "method_not_allowed"
	}
	s.opts.Metrics.countError("", kind)
	_ = c.JSON(status, inference.ErrorResponse{Error: msg})
}
