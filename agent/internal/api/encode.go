package api

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/proto/inference"
)

// appendInferResponse writes r as JSON by hand: it is the hot path, and
// encoding/json would reflect over the struct and re-validate every
// already-encoded data array. The field names and order match the struct
// tags of inference.InferResponse (a test decodes the result to check).
func appendInferResponse(dst []byte, r *inference.InferResponse, cached bool) []byte {
	dst = append(dst, `{"model_name":`...)
	dst = appendString(dst, r.ModelName)
	dst = append(dst, `,"model_version":`...)
	dst = appendString(dst, r.ModelVersion)
	if r.ID != "" {
		dst = append(dst, `,"id":`...)
		dst = appendString(dst, r.ID)
	}
	if cached {
		dst = append(dst, `,"parameters":{"`+inference.ParamCached+`":true}`...)
	}
	dst = append(dst, `,"outputs":[`...)
	for i, o := range r.Outputs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendString(dst, o.Name)
		dst = append(dst, `,"shape":[`...)
		for j, d := range o.Shape {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, d, 10)
		}
		dst = append(dst, `],"datatype":`...)
		dst = appendString(dst, o.Datatype)
		dst = append(dst, `,"data":`...)
		dst = append(dst, o.Data...)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
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
// need not chunk it.
func writeJSON(c echo.Context, status int, body []byte) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}
