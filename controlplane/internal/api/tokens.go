package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
)

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// TokenResponse returns the secret, which is never shown again.
type TokenResponse struct {
	auth.Token
	Secret string `json:"secret"`
}

func (s *Server) createToken(c echo.Context) error {
	var req TokenRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	role, err := auth.ParseRole(req.Role)
	if err != nil {
		return badRequest("role", "%v", err)
	}
	if len(req.Name) > auth.MaxNameLen {
		return badRequest("name", "name is %d bytes, limit %d", len(req.Name), auth.MaxNameLen)
	}
	t, secret, err := s.d.Tokens.Create(c.Request().Context(), req.Name, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, TokenResponse{Token: t, Secret: secret})
}

func (s *Server) listTokens(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	items, next, err := s.d.Tokens.List(c.Request().Context(), p)
	if err != nil {
		return classify(err, "page_token")
	}
	return c.JSON(http.StatusOK, List[auth.Token]{Items: items, NextPageToken: next})
}

func (s *Server) revokeToken(c echo.Context) error {
	t, err := s.d.Tokens.Revoke(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// bindJSON decodes a JSON body strictly: unknown fields are errors, so a
// typo never passes silently.
func bindJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return err
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "", "request body over %d bytes", tooLarge.Limit)
		}
		return badRequest(fieldOf(err), "request body: %v", err)
	}
	return nil
}

// fieldOf names the JSON field a decode error points at, when it does.
func fieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	var msg string
	if _, scanErr := fmt.Sscanf(err.Error(), "json: unknown field %q", &msg); scanErr == nil {
		return msg
	}
	return ""
}
