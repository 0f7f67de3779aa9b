package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/edgefleet/edgefleet/controlplane/internal/ingest"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// Telemetry answers the telemetry routes; *ingest.Ingester implements it.
type Telemetry interface {
	Device(id string, from, to time.Time) (*ingest.DeviceTelemetry, error)
	Model(model, version string, from, to time.Time) (*ingest.ModelMetrics, error)
	Watch() (<-chan *telemetryv1.Batch, func())
}

// needTelemetry answers 503 when the server runs without an ingester.
func (s *Server) needTelemetry(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.d.Telemetry == nil {
			return newError(http.StatusServiceUnavailable, CodeUnavailable, "", "telemetry ingestion is not running on this server")
		}
		return next(c)
	}
}

// maxTelemetryRange bounds one query so a request cannot scan years of
// buckets.
const maxTelemetryRange = 31 * 24 * time.Hour

// timeRange reads ?from=&to= (RFC 3339 or unix seconds); the default is the
// last hour.
func timeRange(c echo.Context) (from, to time.Time, err error) {
	to = time.Now().UTC()
	if v := c.QueryParam("to"); v != "" {
		if to, err = parseTime(v); err != nil {
			return from, to, badRequest("to", "to=%q: want RFC 3339 (2026-11-27T10:00:00Z) or unix seconds", v)
		}
	}
	from = to.Add(-time.Hour)
	if v := c.QueryParam("from"); v != "" {
		if from, err = parseTime(v); err != nil {
			return from, to, badRequest("from", "from=%q: want RFC 3339 (2026-11-27T10:00:00Z) or unix seconds", v)
		}
	}
	if !from.Before(to) {
		return from, to, badRequest("from", "from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if to.Sub(from) > maxTelemetryRange {
		return from, to, badRequest("from", "range %s is longer than the limit of %s", to.Sub(from), maxTelemetryRange)
	}
	return from, to, nil
}

func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Parse(time.RFC3339, v)
}

func (s *Server) deviceTelemetry(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if _, err := s.d.Devices.Get(ctx, id); err != nil {
		return err
	}
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	out, err := s.d.Telemetry.Device(id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) versionMetrics(c echo.Context) error {
	ctx := c.Request().Context()
	name, version := c.Param("name"), c.Param("version")
	if _, err := s.d.Registry.Get(ctx, name, version); err != nil {
		return err
	}
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	out, err := s.d.Telemetry.Model(name, version, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// telemetryStream streams newly ingested batches as newline-delimited
// protobuf JSON (application/x-ndjson) until the client goes away,
// optionally filtered by ?device= and ?model=. A keep-alive blank line is
// written every 15 s so proxies keep the connection open.
func (s *Server) telemetryStream(c echo.Context) error {
	device, model := c.QueryParam("device"), c.QueryParam("model")
	ch, stop := s.d.Telemetry.Watch()
	defer stop()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	ctx := c.Request().Context()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	opts := protojson.MarshalOptions{UseProtoNames: true}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-keepAlive.C:
			if _, err := w.Write([]byte("\n")); err != nil {
				return nil
			}
			w.Flush()
		case b := <-ch:
			if !matches(b, device, model) {
				continue
			}
			line, err := opts.Marshal(b)
			if err != nil {
				continue
			}
			if _, err := w.Write(append(line, '\n')); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

func matches(b *telemetryv1.Batch, device, model string) bool {
	if device != "" && b.DeviceId != device {
		return false
	}
	if model == "" {
		return true
	}
	for _, m := range b.Models {
		if m.Model == model {
			return true
		}
	}
	return false
}

// The ingester is the one Telemetry implementation.
var _ Telemetry = (*ingest.Ingester)(nil)
