package api

import (
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/proto/inference"
)

// The v2 infer response is written by hand: it is the hot path, and
// encoding/json would reflect over the struct and re-validate every
// already-encoded data array. Field names and order match the struct tags
// of inference.InferResponse (a test decodes the result to check).

// appendInferHead writes the response up to the opening of its outputs
// list; the caller appends the outputs and closes with "]}".
func appendInferHead(dst []byte, model, version, id string, cached bool) []byte {
	dst = append(dst, `{"model_name":`...)
	dst = appendString(dst, model)
	dst = append(dst, `,"model_version":`...)
	dst = appendString(dst, version)
	if id != "" {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, id)
	}
	if cached {
		dst = append(dst, `,"parameters":{"`+inference.ParamCached+`":true}`...)
	}
	return append(dst, `,"outputs":[`...)
}

// appendOutputHead writes one output object up to its data; the caller
// appends the data array and the closing brace.
func appendOutputHead(dst []byte, name string, shape []int, datatype string) []byte {
	dst = append(dst, `{"name":`...)
	dst = appendString(dst, name)
	dst = append(dst, `,"shape":[`...)
	for j, d := range shape {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(d), 10)
	}
	dst = append(dst, `],"datatype":`...)
	dst = appendString(dst, datatype)
	return append(dst, `,"data":`...)
}

// appendString appends s as a JSON string. Plain ASCII (every model and
// tensor name in practice) is copied directly; anything else goes through
// encoding/json for exact escaping.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// writeJSON sends a pre-encoded JSON body with its length, so the server
// need not chunk it. The content type's header value is shared: the
// server only reads header values.
func (s *Server) writeJSON(c echo.Context, status int, body []byte) error {
	h := c.Response().Header()
	h[echo.HeaderContentType] = s.headers.jsonType
	h[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}

// maxCachedVersions bounds headerValues' version cache; versions beyond it
// (a device that activated hundreds) get a fresh value each time.
const maxCachedVersions = 64

// headerValues holds prebuilt header values, so answering does not
// allocate them per request.
type headerValues struct {
	jsonType []string

	mu       sync.RWMutex
	versions map[string][]string
}

func newHeaderValues() *headerValues {
	return &headerValues{jsonType: []string{echo.MIMEApplicationJSON}, versions: make(map[string][]string)}
}

// versionValue returns the header value naming version.
func (s *Server) versionValue(version string) []string {
	hv := s.headers
	hv.mu.RLock()
	v, ok := hv.versions[version]
	hv.mu.RUnlock()
	if ok {
		return v
	}
	v = []string{version}
	hv.mu.Lock()
	if len(hv.versions) < maxCachedVersions {
		hv.versions[version] = v
	}
	hv.mu.Unlock()
	return v
}
