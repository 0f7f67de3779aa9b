package install

import (
	"errors"
	"net/http"

	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// The admin routes of the agent's local API, which the `models` CLI uses
// when the agent is running (and so holds the database lock):
//
//	POST /admin/v1/models                  multipart form: file part "model" (the .tflite),
//	                                       part "manifest" (signed manifest JSON),
//	                                       optional field "activate" ("true")  → 201 ImportResponse
//	GET  /admin/v1/models                                                       → 200 ListResponse
//	POST /admin/v1/models/{name}/activate  body ActivateRequest                 → 200 PointerResponse
//	POST /admin/v1/models/{name}/rollback                                       → 200 PointerResponse
//
// Failures answer ErrorResponse with 400 (malformed request), 404 (unknown
// model or version), 409 (conflicting version, version in use), 413 (upload
// too large), 422 (verification refused: signature, checksum, I/O
// signature, probe) or 500.
const (
	AdminPrefix       = "/admin/v1/models"
	FormModel         = "model"
	FormManifest      = "manifest"
	FormActivate      = "activate"
	DefaultMaxUpload  = 256 << 20
	adminManifestMax  = 16 << 20
	adminJSONBodyMax  = 1 << 16
	contentTypeJSON   = "application/json"
	headerContentType = "Content-Type"
)

// ImportResponse answers an import.
type ImportResponse struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Activated bool   `json:"activated"`
}

// ListResponse answers a listing.
type ListResponse struct {
	Models []store.Entry `json:"models"`
}

// ActivateRequest names the version to activate.
type ActivateRequest struct {
	Version string `json:"version"`
}

// PointerResponse reports a model's versions after a change.
type PointerResponse struct {
	Name     string `json:"name"`
	Active   string `json:"active"`
	Previous string `json:"previous,omitempty"`
}

// ErrorResponse is every admin error body.
type ErrorResponse struct {
	Error string `json:"error"`
}

// statusOf maps an install or store error to its HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrInUse):
		return http.StatusConflict
	case errors.Is(err, manifest.ErrUnsigned), errors.Is(err, manifest.ErrBadSignature),
		errors.Is(err, manifest.ErrUnknownKey), errors.Is(err, manifest.ErrInvalid),
		errors.Is(err, ErrIntegrity), errors.Is(err, ErrModel), errors.Is(err, ErrSignatureMismatch),
		errors.Is(err, ErrNoProbe), errors.Is(err, ErrProbeMismatch), errors.Is(err, store.ErrInvalid):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}
