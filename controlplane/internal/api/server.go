// Package api is the control plane's REST API under /api/v1 (echo): models
// and versions, devices, tokens, the signing key, plus /healthz, /readyz,
// /metrics and the OpenAPI document. Every error is an ErrorBody, every
// list is paginated, every response carries an X-Request-Id.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

// Check is one readiness probe (storage, broker, metadata).
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Deps are what the API serves.
type Deps struct {
	Registry   *registry.Registry
	Devices    *devices.Registry
	Tokens     *auth.Store
	SigningKey manifest.PublicKey
	Checks     []Check
	Logger     *slog.Logger
	// PresignTTL is how long blob download redirects stay valid.
	PresignTTL time.Duration
	// MaxJSONBytes bounds JSON request bodies; 0 means 1 MiB.
	MaxJSONBytes int64
	// OnRevoke runs after a device is revoked, e.g. to disconnect it from
	// the embedded broker (revocation is otherwise only checked at connect).
	OnRevoke func(deviceID string)
	// Telemetry serves the telemetry and metrics routes.
	Telemetry Telemetry
	// Collectors are added to /metrics (e.g. the ingester's fleet
	// aggregates).
	Collectors []prometheus.Collector
}

// Server is the HTTP API.
type Server struct {
	d       Deps
	e       *echo.Echo
	metrics *prometheus.Registry
	routes  []Route
}

// Route describes one API route and the role it needs ("" = public).
type Route struct {
	Method string
	Path   string
	Role   auth.Role
}

// New builds the API.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.PresignTTL <= 0 {
		d.PresignTTL = 5 * time.Minute
	}
	if d.MaxJSONBytes <= 0 {
		d.MaxJSONBytes = 1 << 20
	}
	s := &Server{d: d, e: echo.New(), metrics: prometheus.NewRegistry()}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = errorHandler(d.Logger)
	s.e.Use(middleware.RequestID())
	s.e.Use(s.instrument())
	for _, c := range d.Collectors {
		s.metrics.MustRegister(c)
	}
	s.e.Use(middleware.Recover())
	s.e.Use(requestLogger(d.Logger))
	s.register()
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.e }

// Routes lists every registered route with its required role.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Echo exposes the router for tests that compare it with the OpenAPI
// document.
func (s *Server) Echo() *echo.Echo { return s.e }

func (s *Server) add(method, path string, role auth.Role, h echo.HandlerFunc, extra ...echo.MiddlewareFunc) {
	var mw []echo.MiddlewareFunc
	if role != "" {
		mw = append(mw, s.require(role))
	}
	mw = append(mw, extra...)
	s.e.Add(method, path, h, mw...)
	s.routes = append(s.routes, Route{Method: method, Path: path, Role: role})
}

func (s *Server) register() {
	jsonLimit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: byteSize(s.d.MaxJSONBytes)})
	const v1 = "/api/v1"

	s.add(http.MethodGet, "/healthz", "", s.healthz)
	s.add(http.MethodGet, "/readyz", "", s.readyz)
	s.add(http.MethodGet, "/metrics", "", echo.WrapHandler(s.metricsHandler()))
	s.add(http.MethodGet, v1+"/openapi.json", "", serveOpenAPI)
	s.add(http.MethodGet, v1+"/signing-key", "", s.signingKey)

	s.add(http.MethodGet, v1+"/models", auth.Viewer, s.listModels)
	s.add(http.MethodGet, v1+"/models/:name", auth.Viewer, s.getModel)
	s.add(http.MethodGet, v1+"/models/:name/versions", auth.Viewer, s.listVersions)
	// The upload enforces the registry's model size limit itself, so the
	// JSON limit does not apply.
	s.add(http.MethodPost, v1+"/models/:name/versions", auth.Operator, s.publish)
	s.add(http.MethodGet, v1+"/models/:name/versions/:version", auth.Viewer, s.getVersion)
	s.add(http.MethodGet, v1+"/models/:name/versions/:version/manifest", auth.Viewer, s.getManifest)
	s.add(http.MethodGet, v1+"/models/:name/versions/:version/blob", auth.Viewer, s.getBlob)
	s.add(http.MethodDelete, v1+"/models/:name/versions/:version", auth.Operator, s.deleteVersion)

	s.add(http.MethodPost, v1+"/devices", auth.Admin, s.enroll, jsonLimit)
	s.add(http.MethodGet, v1+"/devices", auth.Viewer, s.listDevices)
	s.add(http.MethodGet, v1+"/devices/:id", auth.Viewer, s.getDevice)
	s.add(http.MethodPatch, v1+"/devices/:id", auth.Admin, s.relabel, jsonLimit)
	s.add(http.MethodPost, v1+"/devices/:id/revoke", auth.Admin, s.revokeDevice)

	s.add(http.MethodGet, v1+"/devices/:id/telemetry", auth.Viewer, s.deviceTelemetry, s.needTelemetry)
	s.add(http.MethodGet, v1+"/models/:name/versions/:version/metrics", auth.Viewer, s.versionMetrics, s.needTelemetry)
	s.add(http.MethodGet, v1+"/telemetry/stream", auth.Viewer, s.telemetryStream, s.needTelemetry)

	s.add(http.MethodPost, v1+"/tokens", auth.Admin, s.createToken, jsonLimit)
	s.add(http.MethodGet, v1+"/tokens", auth.Admin, s.listTokens)
	s.add(http.MethodPost, v1+"/tokens/:id/revoke", auth.Admin, s.revokeToken)
}

// byteSize renders n in the unit syntax echo's BodyLimit parses.
func byteSize(n int64) string { return strconv.FormatInt(max(n/1024, 1), 10) + "K" }

func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(_ echo.Context, v middleware.RequestLoggerValues) error {
			log.Debug("http request", "method", v.Method, "uri", v.URI, "status", v.Status,
				"latency", v.Latency, "request_id", v.RequestID)
			return nil
		},
	})
}
