package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/labels"
)

// EnrollRequest is the body of POST /api/v1/devices.
type EnrollRequest struct {
	ID     string            `json:"id"`
	Labels map[string]string `json:"labels"`
}

// EnrollResponse returns the credential, which is never shown again.
type EnrollResponse struct {
	ID         string            `json:"id"`
	Credential string            `json:"credential"`
	Labels     map[string]string `json:"labels"`
	CreatedAt  time.Time         `json:"created_at"`
}

// RelabelRequest is the body of PATCH /api/v1/devices/{id}: a JSON merge
// patch of the labels (null removes a key).
type RelabelRequest struct {
	Labels map[string]*string `json:"labels"`
}

func (s *Server) enroll(c echo.Context) error {
	var req EnrollRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.ID == "" {
		return badRequest("id", "id is required")
	}
	d, cred, err := s.d.Devices.Enroll(c.Request().Context(), req.ID, req.Labels)
	if err != nil {
		return deviceError(err, req)
	}
	return c.JSON(http.StatusCreated, EnrollResponse{ID: d.ID, Credential: cred, Labels: d.Labels, CreatedAt: d.CreatedAt})
}

func deviceError(err error, req EnrollRequest) error {
	ae := classify(err, "id")
	if ae.status == http.StatusInternalServerError {
		// Validation errors from the registry name the field in their text.
		if labels.Validate(req.Labels) != nil {
			return badRequest("labels", "%v", err)
		}
		return badRequest("id", "%v", err)
	}
	return ae
}

func (s *Server) listDevices(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	sel, err := labels.Parse(c.QueryParam("selector"))
	if err != nil {
		return badRequest("selector", "%v", err)
	}
	items, next, err := s.d.Devices.List(c.Request().Context(), sel, p)
	if err != nil {
		return classify(err, "page_token")
	}
	return c.JSON(http.StatusOK, List[devices.Device]{Items: items, NextPageToken: next})
}

func (s *Server) getDevice(c echo.Context) error {
	d, err := s.d.Devices.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) relabel(c echo.Context) error {
	var req RelabelRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	d, err := s.d.Devices.Relabel(c.Request().Context(), c.Param("id"), req.Labels)
	if err != nil {
		ae := classify(err, "labels")
		if ae.status == http.StatusInternalServerError {
			return badRequest("labels", "%v", err)
		}
		return ae
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) revokeDevice(c echo.Context) error {
	d, err := s.d.Devices.Revoke(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if s.d.OnRevoke != nil {
		s.d.OnRevoke(d.ID) // e.g. drop its live MQTT session
	}
	return c.JSON(http.StatusOK, d)
}
