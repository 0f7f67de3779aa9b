package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
)

// tokenKey is where the authenticated token sits in the echo context.
const tokenKey = "edgefleet.token"

// require authenticates the bearer token and checks its role.
func (s *Server) require(role auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" {
				return newError(http.StatusUnauthorized, CodeUnauthenticated, "", "missing bearer token (Authorization: Bearer …)")
			}
			tok, err := s.d.Tokens.Authenticate(c.Request().Context(), strings.TrimSpace(secret))
			if err != nil {
				return err
			}
			if !tok.Role.Allows(role) {
				return newError(http.StatusForbidden, CodeForbidden, "", "token %s has role %s; this needs %s", tok.ID, tok.Role, role)
			}
			c.Set(tokenKey, tok)
			return next(c)
		}
	}
}
