package api

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
)

// List is the JSON shape of every list response.
type List[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// page reads ?limit=&page_token=.
func page(c echo.Context) (meta.Page, error) {
	p := meta.Page{Token: c.QueryParam("page_token")}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > meta.MaxLimit {
			return p, badRequest("limit", "limit %q: want an integer in 1..%d", s, meta.MaxLimit)
		}
		p.Limit = n
	}
	return p, nil
}
