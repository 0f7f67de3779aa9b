package api

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps the hand-written document true: every
// registered route is documented with the role it enforces, and the
// document lists no route the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	s := New(Deps{})
	param := regexp.MustCompile(`:([a-z_]+)`)
	registered := map[string]bool{}
	for _, r := range s.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		method := strings.ToLower(r.Method)
		registered[method+" "+path] = true
		raw, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, path)
			continue
		}
		var op struct {
			Role      string `json:"x-edgefleet-role"`
			Responses map[string]json.RawMessage
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatal(err)
		}
		if op.Role != string(r.Role) {
			t.Errorf("%s %s: document says role %q, server enforces %q", r.Method, path, op.Role, r.Role)
		}
		if r.Role != "" && (op.Responses["401"] == nil || op.Responses["403"] == nil) {
			t.Errorf("%s %s: 401/403 responses undocumented", r.Method, path)
		}
	}
	// Echo's own route list must agree with ours (nothing registered behind
	// add's back).
	for _, r := range s.Echo().Routes() {
		key := strings.ToLower(r.Method) + " " + param.ReplaceAllString(r.Path, "{$1}")
		if !registered[key] {
			t.Errorf("echo route %s bypassed Server.add", key)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which the server does not serve", method, path)
			}
		}
	}
}
