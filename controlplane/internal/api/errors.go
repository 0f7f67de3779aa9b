package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/inspection"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
)

// Error codes of the {"error":{"code":…}} body.
const (
	CodeUnauthenticated  = "unauthenticated"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeInvalidArgument  = "invalid_argument"
	CodeConflict         = "conflict"
	CodeInUse            = "in_use"
	CodeTooLarge         = "too_large"
	CodeInvalidModel     = "invalid_model"
	CodeUnsupportedModel = "unsupported_model"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong. Field names the request field at
// fault, when there is one; Ops lists refused operators on
// unsupported_model; Users lists who holds a version on in_use.
type ErrorDetail struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Field     string          `json:"field,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Ops       []inspection.Op `json:"ops,omitempty"`
	Users     []string        `json:"users,omitempty"`
}

// apiError is an error that already knows its HTTP status and body.
type apiError struct {
	status int
	detail ErrorDetail
}

func (e *apiError) Error() string { return e.detail.Message }

func newError(status int, code, field, format string, args ...any) *apiError {
	return &apiError{status: status, detail: ErrorDetail{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}}
}

func badRequest(field, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, CodeInvalidArgument, field, format, args...)
}

// classify maps domain errors onto statuses and codes; field names the
// request field an argument error refers to.
func classify(err error, field string) *apiError {
	var ae *apiError
	var he *echo.HTTPError
	var unsupported *inspection.UnsupportedError
	var inUse *registry.InUseError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &unsupported):
		e := newError(http.StatusUnprocessableEntity, CodeUnsupportedModel, "file", "%s", unsupported.Error())
		e.detail.Ops = unsupported.Ops
		return e
	case errors.Is(err, inspection.ErrUnsupported):
		return newError(http.StatusUnprocessableEntity, CodeUnsupportedModel, "file", "%v", err)
	case errors.Is(err, inspection.ErrInvalid):
		return newError(http.StatusUnprocessableEntity, CodeInvalidModel, "file", "%v", err)
	case errors.As(err, &inUse):
		e := newError(http.StatusConflict, CodeInUse, "", "%v", err)
		e.detail.Users = inUse.Users
		return e
	case errors.Is(err, registry.ErrConflict), errors.Is(err, devices.ErrExists):
		return newError(http.StatusConflict, CodeConflict, field, "%v", err)
	case errors.Is(err, registry.ErrTooLarge):
		return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "file", "%v", err)
	case errors.Is(err, registry.ErrEmpty), errors.Is(err, registry.ErrInvalidName), errors.Is(err, meta.ErrInvalidPageToken):
		return newError(http.StatusBadRequest, CodeInvalidArgument, field, "%v", err)
	case errors.Is(err, meta.ErrNotFound):
		return newError(http.StatusNotFound, CodeNotFound, "", "%v", err)
	case errors.Is(err, auth.ErrUnauthenticated):
		return newError(http.StatusUnauthorized, CodeUnauthenticated, "", "%v", err)
	case errors.As(err, &he):
		code := CodeInvalidArgument
		switch he.Code {
		case http.StatusNotFound:
			code = CodeNotFound
		case http.StatusRequestEntityTooLarge:
			code = CodeTooLarge
		case http.StatusMethodNotAllowed:
			code = CodeNotFound
		case http.StatusUnauthorized:
			code = CodeUnauthenticated
		case http.StatusForbidden:
			code = CodeForbidden
		}
		if he.Code >= 500 {
			code = CodeInternal
		}
		return newError(he.Code, code, "", "%v", he.Message)
	}
	return newError(http.StatusInternalServerError, CodeInternal, "", "internal error")
}

// errorHandler renders every error as an ErrorBody and logs server faults.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		ae := classify(err, "")
		d := ae.detail
		d.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
		if ae.status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "request_id", d.RequestID, "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(ae.status)
			return
		}
		_ = c.JSON(ae.status, ErrorBody{Error: d})
	}
}
