package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strings"

	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// AdminOptions configure NewAdminHandler.
type AdminOptions struct {
	// MaxUploadBytes bounds an import request body; 0 means
	// DefaultMaxUpload.
	MaxUploadBytes int64
	// OnChange, when set, runs after a model's active version changed
	// (import with activate, activate, rollback), so the runtime can load
	// the new version. Its error is reported to the client (the store has
	// changed already).
	OnChange func(ctx context.Context, name string) error
	// Logger; nil uses slog.Default().
	Logger *slog.Logger
}

// NewAdminHandler serves the admin routes (see AdminPrefix) with in. Mount
// it for paths under /admin/v1/ (with echo: e.Any("/admin/v1/*",
// echo.WrapHandler(h))).
func NewAdminHandler(in *Installer, opts AdminOptions) http.Handler {
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = DefaultMaxUpload
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &adminHandler{in: in, opts: opts}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+AdminPrefix, h.importModel)
	mux.HandleFunc("GET "+AdminPrefix, h.list)
	mux.HandleFunc("POST "+AdminPrefix+"/{name}/activate", h.activate)
	mux.HandleFunc("POST "+AdminPrefix+"/{name}/rollback", h.rollback)
	return localOnly(mux)
}

// localOnly refuses requests a web page could have sent: anything with an
// Origin header (browsers add it to cross-origin and form posts; the CLI
// never sends one) and anything addressed to a Host that is not loopback
// (DNS rebinding). The admin routes have no other authentication, so they
// must only be reachable by local programs.
func localOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "" {
			writeError(w, http.StatusForbidden, errors.New("admin routes refuse browser requests (Origin header present)"))
			return
		}
		// Unix-socket peers (no TCP address) are vetted by the socket's
		// file mode; TCP peers must have addressed a loopback name.
		viaUnix := r.RemoteAddr == "" || r.RemoteAddr == "@"
		if !viaUnix && !loopbackHost(r.Host) {
			writeError(w, http.StatusForbidden, fmt.Errorf("admin routes answer only on loopback, not Host %q", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine: a
// loopback address or "localhost".
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type adminHandler struct {
	in   *Installer
	opts AdminOptions
}

func (h *adminHandler) importModel(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxUploadBytes)
	blob, signed, activate, err := readImportForm(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("import: request body exceeds %d bytes", tooBig.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, fmt.Errorf("import: %w", err))
		return
	}
	if err := h.in.Import(r.Context(), blob, signed, activate); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	m := signed.Manifest
	if activate && !h.changed(w, r, m.Name) {
		return
	}
	writeJSON(w, http.StatusCreated, ImportResponse{Name: m.Name, Version: m.Version, SHA256: m.SHA256, Size: m.Size, Activated: activate})
}

// readImportForm reads the multipart parts in order without spooling the
// model to disk (the data dir is the agent's only writable place).
func readImportForm(r *http.Request) (blob []byte, signed manifest.Signed, activate bool, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, signed, false, err
	}
	var haveManifest bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, signed, false, err
		}
		switch part.FormName() {
		case FormModel:
			blob, err = io.ReadAll(part)
		case FormManifest:
			signed, err = readManifestPart(part)
			haveManifest = err == nil
		case FormActivate:
			var v []byte
			v, err = io.ReadAll(io.LimitReader(part, 16))
			activate = string(v) == "true" || string(v) == "1"
		default:
			err = fmt.Errorf("unexpected form part %q (want %q, %q, %q)", part.FormName(), FormModel, FormManifest, FormActivate)
		}
		if err != nil {
			return nil, signed, false, err
		}
	}
	if blob == nil {
		return nil, signed, false, fmt.Errorf("missing form part %q (the .tflite file)", FormModel)
	}
	if !haveManifest {
		return nil, signed, false, fmt.Errorf("missing form part %q (the manifest JSON)", FormManifest)
	}
	return blob, signed, activate, nil
}

func readManifestPart(part *multipart.Part) (manifest.Signed, error) {
	data, err := io.ReadAll(io.LimitReader(part, adminManifestMax+1))
	if err != nil {
		return manifest.Signed{}, err
	}
	if len(data) > adminManifestMax {
		return manifest.Signed{}, fmt.Errorf("manifest part exceeds %d bytes", adminManifestMax)
	}
	return manifest.Decode(data)
}

func (h *adminHandler) list(w http.ResponseWriter, _ *http.Request) {
	entries, err := h.in.List()
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if entries == nil {
		entries = []store.Entry{}
	}
	writeJSON(w, http.StatusOK, ListResponse{Models: entries})
}

func (h *adminHandler) activate(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var req ActivateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, adminJSONBodyMax))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Version == "" {
		if err == nil {
			err = errors.New(`"version" is empty`)
		}
		writeError(w, http.StatusBadRequest, fmt.Errorf(`activate %s: body must be {"version": "V"}: %w`, name, err))
		return
	}
	if err := h.in.Activate(r.Context(), name, req.Version); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	h.respondPointer(w, r, name)
}

func (h *adminHandler) rollback(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := h.in.Rollback(r.Context(), name); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	h.respondPointer(w, r, name)
}

func (h *adminHandler) respondPointer(w http.ResponseWriter, r *http.Request, name string) {
	if !h.changed(w, r, name) {
		return
	}
	p, err := h.in.Store().Pointer(name)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, http.StatusOK, PointerResponse{Name: name, Active: p.Active, Previous: p.Previous})
}

// changed runs OnChange and reports whether the request may go on.
func (h *adminHandler) changed(w http.ResponseWriter, r *http.Request, name string) bool {
	if h.opts.OnChange == nil {
		return true
	}
	if err := h.opts.OnChange(r.Context(), name); err != nil {
		h.opts.Logger.Error("model switched in the store but the runtime did not load it", "model", name, "err", err)
		writeError(w, http.StatusInternalServerError, fmt.Errorf("model %s switched in the store, but the runtime failed to load it: %w", name, err))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set(headerContentType, contentTypeJSON)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, ErrorResponse{Error: err.Error()})
}
