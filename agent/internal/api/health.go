package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/proto/inference"
)

func (s *Server) serverMetadata(c echo.Context) error {
	return c.JSON(http.StatusOK, inference.ServerMetadata{Name: "edgefleet-agent", Version: s.opts.Version, Extensions: []string{}})
}

// live answers as long as the process serves HTTP.
func (s *Server) live(c echo.Context) error {
	return c.JSON(http.StatusOK, inference.LiveResponse{Live: true})
}

// ready answers 200 when at least one model is loaded and every model the
// store holds has an active version loaded; 503 with the reason otherwise.
func (s *Server) ready(c echo.Context) error {
	models := s.opts.Runtime.Models()
	if len(models) == 0 {
		return c.JSON(http.StatusServiceUnavailable, inference.ReadyResponse{Reason: "no model is active yet"})
	}
	if lister, ok := s.opts.Catalog.(interface{ ModelNames() []string }); ok {
		loaded := make(map[string]bool, len(models))
		for _, m := range models {
			loaded[m.Name] = true
		}
		for _, name := range lister.ModelNames() {
			if !loaded[name] {
				return c.JSON(http.StatusServiceUnavailable, inference.ReadyResponse{Reason: fmt.Sprintf("model %q is installed but has no active version", name)})
			}
		}
	}
	return c.JSON(http.StatusOK, inference.ReadyResponse{Ready: true})
}
