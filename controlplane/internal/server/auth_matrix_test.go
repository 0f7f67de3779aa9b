package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/auth"
	"github.com/edgefleet/edgefleet/controlplane/internal/client"
)

// TestAuthMatrix sends every protected route a request without a token
// (401) and with each role below the one it needs (403).
func TestAuthMatrix(t *testing.T) {
	s := start(t, embedded)
	tokens := map[auth.Role]*client.Client{}
	for _, r := range []auth.Role{auth.Viewer, auth.Operator} {
		st, raw := do(t, s.admin, "POST", "/api/v1/tokens", jsonBody(map[string]string{"role": string(r)}), "application/json")
		if st != http.StatusCreated {
			t.Fatalf("create %s token: %d %s", r, st, raw)
		}
		tokens[r] = client.New(s.URL(), decode[api.TokenResponse](t, raw).Secret)
	}
	lower := map[auth.Role][]auth.Role{
		auth.Viewer:   nil,
		auth.Operator: {auth.Viewer},
		auth.Admin:    {auth.Viewer, auth.Operator},
	}
	anon := client.New(s.URL(), "")
	bogus := client.New(s.URL(), "eft_000000000000_bogus")
	protected := 0
	for _, r := range s.Routes() {
		path := strings.NewReplacer(":name", "m", ":version", "1", ":id", "x").Replace(r.Path)
		if r.Role == "" {
			if st, _ := do(t, anon, r.Method, path, nil, ""); st == http.StatusUnauthorized || st == http.StatusForbidden {
				t.Errorf("public %s %s answered %d", r.Method, r.Path, st)
			}
			continue
		}
		protected++
		for _, c := range []*client.Client{anon, bogus} {
			st, raw := do(t, c, r.Method, path, nil, "")
			if e := decode[errBody](t, raw); st != http.StatusUnauthorized || e.Error.Code != api.CodeUnauthenticated {
				t.Errorf("%s %s with token %q: %d %s, want 401", r.Method, r.Path, c.Token, st, raw)
			}
		}
		for _, low := range lower[r.Role] {
			st, raw := do(t, tokens[low], r.Method, path, nil, "")
			if e := decode[errBody](t, raw); st != http.StatusForbidden || e.Error.Code != api.CodeForbidden {
				t.Errorf("%s %s as %s: %d %s, want 403", r.Method, r.Path, low, st, raw)
			}
		}
	}
	if protected < 15 {
		t.Fatalf("only %d protected routes seen", protected)
	}
}
