package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
)

func (s *Server) listModels(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	items, next, err := s.d.Registry.ListModels(c.Request().Context(), p)
	if err != nil {
		return classify(err, "page_token")
	}
	return c.JSON(http.StatusOK, List[registry.Model]{Items: items, NextPageToken: next})
}

func (s *Server) getModel(c echo.Context) error {
	m, err := s.d.Registry.GetModel(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) listVersions(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	items, next, err := s.d.Registry.ListVersions(c.Request().Context(), c.Param("name"), p)
	if err != nil {
		return classify(err, "page_token")
	}
	return c.JSON(http.StatusOK, List[registry.Version]{Items: items, NextPageToken: next})
}

func (s *Server) getVersion(c echo.Context) error {
	v, err := s.d.Registry.Get(c.Request().Context(), c.Param("name"), c.Param("version"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) getManifest(c echo.Context) error {
	m, err := s.d.Registry.Manifest(c.Request().Context(), c.Param("name"), c.Param("version"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// getBlob redirects to a presigned URL when the store makes them (S3), and
// streams the file otherwise. ?redirect=false always streams.
func (s *Server) getBlob(c echo.Context) error {
	ctx := c.Request().Context()
	name, version := c.Param("name"), c.Param("version")
	if c.QueryParam("redirect") != "false" {
		u, err := s.d.Registry.PresignBlob(ctx, name, version, s.d.PresignTTL)
		if err == nil {
			return c.Redirect(http.StatusTemporaryRedirect, u)
		}
		if !errors.Is(err, blob.ErrNoPresign) {
			return err
		}
	}
	rc, v, err := s.d.Registry.Open(ctx, name, version)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentLength, strconv.FormatInt(v.Size, 10))
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("X-Edgefleet-Sha256", v.SHA256)
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s.tflite"`, name, version))
	return c.Stream(http.StatusOK, echo.MIMEOctetStream, rc)
}

func (s *Server) deleteVersion(c echo.Context) error {
	if err := s.d.Registry.Delete(c.Request().Context(), c.Param("name"), c.Param("version")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// publish accepts the model either as the raw request body with
// ?version=V, or as multipart/form-data with a "version" field followed by
// a "file" part. Both are streamed; multipart parts are read in order, so
// the version must come before the file (or be given in the query).
func (s *Server) publish(c echo.Context) error {
	req := c.Request()
	name := c.Param("name")
	if err := registry.ValidateName("name", name); err != nil {
		return classify(err, "name")
	}
	if req.ContentLength > s.d.Registry.MaxModelBytes() {
		return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "file",
			"model is %d bytes, limit %d", req.ContentLength, s.d.Registry.MaxModelBytes())
	}
	version := c.QueryParam("version")
	body := io.Reader(req.Body)
	mediaType, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mediaType == "multipart/form-data" {
		var err error
		version, body, err = multipartModel(req, version)
		if err != nil {
			return err
		}
	}
	if version == "" {
		return badRequest("version", "version is required (?version=V, or a multipart \"version\" field before \"file\")")
	}
	if err := registry.ValidateName("version", version); err != nil {
		return classify(err, "version")
	}
	v, created, err := s.d.Registry.Publish(req.Context(), name, version, body)
	if err != nil {
		return classify(err, "version")
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/models/%s/versions/%s", name, version))
	return c.JSON(status, v)
}

// multipartModel walks the form parts up to "file", picking up "version".
func multipartModel(req *http.Request, version string) (string, io.Reader, error) {
	mr, err := req.MultipartReader()
	if err != nil {
		return "", nil, badRequest("file", "multipart body: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, badRequest("file", "multipart body has no \"file\" part")
		}
		if err != nil {
			return "", nil, badRequest("file", "multipart body: %v", err)
		}
		switch part.FormName() {
		case "version":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return "", nil, badRequest("version", "read version field: %v", err)
			}
			version = string(b)
		case "file":
			return version, part, nil
		}
	}
}
