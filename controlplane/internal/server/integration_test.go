package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	paho "github.com/eclipse/paho.mqtt.golang"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/registry"
	"github.com/edgefleet/edgefleet/proto/manifest"
)

func TestModelsEmbedded(t *testing.T) { testModels(t, embedded) }
func TestModelsReal(t *testing.T)     { testModels(t, real) }

func testModels(t *testing.T, b backend) {
	s := start(t, b)
	m1, m2 := tinyModel(t, 1), tinyModel(t, 2)
	const base = "/api/v1/models/person/versions"

	// Raw upload creates, identical re-upload is idempotent, different
	// content under the same version conflicts.
	st, raw := do(t, s.admin, "POST", base+"?version=1", bytes.NewReader(m1), "application/octet-stream")
	if st != http.StatusCreated {
		t.Fatalf("upload: %d %s", st, raw)
	}
	v1 := decode[registry.Version](t, raw)
	sum := sha256.Sum256(m1)
	if v1.SHA256 != hex.EncodeToString(sum[:]) || v1.Size != int64(len(m1)) || len(v1.Ops) != 2 || v1.ArenaBytes <= 0 {
		t.Fatalf("version %+v", v1)
	}
	if st, raw := do(t, s.admin, "POST", base+"?version=1", bytes.NewReader(m1), "application/octet-stream"); st != http.StatusOK {
		t.Fatalf("idempotent re-upload: %d %s", st, raw)
	}
	st, raw = do(t, s.admin, "POST", base+"?version=1", bytes.NewReader(m2), "application/octet-stream")
	if e := decode[errBody](t, raw); st != http.StatusConflict || e.Error.Code != api.CodeConflict {
		t.Fatalf("different content: %d %s", st, raw)
	}

	// Multipart upload.
	body, ctype := multipartBody(t, "2", m2)
	if st, raw := do(t, s.admin, "POST", base, body, ctype); st != http.StatusCreated {
		t.Fatalf("multipart upload: %d %s", st, raw)
	}

	// Validation failures.
	st, raw = do(t, s.admin, "POST", base+"?version=3", bytes.NewReader(customOpModel(t)), "application/octet-stream")
	e := decode[errBody](t, raw)
	if st != http.StatusUnprocessableEntity || e.Error.Code != api.CodeUnsupportedModel || len(e.Error.Ops) != 1 || e.Error.Ops[0].Index != 1 {
		t.Fatalf("unsupported op: %d %s", st, raw)
	}
	for name, tc := range map[string]struct {
		path   string
		body   []byte
		status int
		code   string
		field  string
	}{
		"garbage":     {base + "?version=4", []byte("not a model"), 422, api.CodeInvalidModel, "file"},
		"empty":       {base + "?version=4", nil, 400, api.CodeInvalidArgument, "version"},
		"no version":  {base, m1, 400, api.CodeInvalidArgument, "version"},
		"bad version": {base + "?version=..x", m1, 400, api.CodeInvalidArgument, "version"},
		"bad name":    {"/api/v1/models/.hidden/versions?version=1", m1, 400, api.CodeInvalidArgument, "name"},
	} {
		st, raw := do(t, s.admin, "POST", tc.path, bytes.NewReader(tc.body), "application/octet-stream")
		e := decode[errBody](t, raw)
		if st != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field {
			t.Errorf("%s: %d %s, want %d %s field %q", name, st, raw, tc.status, tc.code, tc.field)
		}
	}

	// Reads.
	ms := decode[api.List[registry.Model]](t, get(t, s.admin, "/api/v1/models"))
	if len(ms.Items) != 1 || ms.Items[0].Versions != 2 {
		t.Fatalf("models %+v", ms)
	}
	p1 := decode[api.List[registry.Version]](t, get(t, s.admin, base+"?limit=1"))
	if len(p1.Items) != 1 || p1.NextPageToken == "" {
		t.Fatalf("page 1 %+v", p1)
	}
	p2 := decode[api.List[registry.Version]](t, get(t, s.admin, base+"?limit=1&page_token="+p1.NextPageToken))
	if len(p2.Items) != 1 || p2.NextPageToken != "" || p2.Items[0].Version == p1.Items[0].Version {
		t.Fatalf("page 2 %+v", p2)
	}
	if st, _ := do(t, s.admin, "GET", base+"?page_token=garbage!", nil, ""); st != http.StatusBadRequest {
		t.Fatalf("bad page token: %d", st)
	}
	if st, _ := do(t, s.admin, "GET", base+"/9", nil, ""); st != http.StatusNotFound {
		t.Fatalf("missing version: %d", st)
	}

	// The manifest verifies under the published signing key.
	signed := decode[manifest.Signed](t, get(t, s.admin, base+"/1/manifest"))
	key := decode[manifest.PublicKey](t, get(t, client.New(s.URL(), ""), "/api/v1/signing-key"))
	if err := signed.Verify([]manifest.PublicKey{key}); err != nil {
		t.Fatalf("manifest does not verify: %v", err)
	}
	if signed.Manifest.SHA256 != v1.SHA256 || signed.Manifest.Probe == nil {
		t.Fatalf("manifest %+v", signed.Manifest)
	}

	// Download: streamed on a local store, a presigned redirect on S3.
	st, raw = do(t, s.admin, "GET", base+"/1/blob", nil, "")
	switch {
	case b.name == embedded.name && st == http.StatusOK:
		if !bytes.Equal(raw, m1) {
			t.Fatal("streamed blob differs")
		}
	case b.name != embedded.name && st == http.StatusTemporaryRedirect:
		resp, err := http.Get(string(raw)) // no token: the URL itself authorises
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, m1) {
			t.Fatalf("presigned GET: %d, %d bytes", resp.StatusCode, len(got))
		}
	default:
		t.Fatalf("blob on %s: %d %s", b.name, st, raw)
	}
	if st, raw := do(t, s.admin, "GET", base+"/1/blob?redirect=false", nil, ""); st != http.StatusOK || !bytes.Equal(raw, m1) {
		t.Fatalf("streamed blob: %d", st)
	}

	// Deletion is refused while a device reports the version, then allowed.
	if _, _, err := s.devices.Enroll(t.Context(), "cam-1", nil); err != nil {
		t.Fatal(err)
	}
	ref := devices.ModelRef{Model: "person", Version: "1"}
	if err := s.devices.Record(t.Context(), "cam-1", devices.Report{Active: &ref, Installed: []devices.ModelRef{ref}}); err != nil {
		t.Fatal(err)
	}
	st, raw = do(t, s.admin, "DELETE", base+"/1", nil, "")
	if e := decode[errBody](t, raw); st != http.StatusConflict || e.Error.Code != api.CodeInUse || len(e.Error.Users) != 1 {
		t.Fatalf("delete in use: %d %s", st, raw)
	}
	if _, err := s.devices.Revoke(t.Context(), "cam-1"); err != nil {
		t.Fatal(err)
	}
	if st, raw := do(t, s.admin, "DELETE", base+"/1", nil, ""); st != http.StatusNoContent {
		t.Fatalf("delete: %d %s", st, raw)
	}
	if st, _ := do(t, s.admin, "GET", base+"/1/blob?redirect=false", nil, ""); st != http.StatusNotFound {
		t.Fatalf("blob after delete: %d", st)
	}
	if st, _ := do(t, s.admin, "DELETE", base+"/1", nil, ""); st != http.StatusNotFound {
		t.Fatalf("second delete: %d", st)
	}
}

func get(t *testing.T, c *client.Client, path string) []byte {
	t.Helper()
	st, raw := do(t, c, "GET", path, nil, "")
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, st, raw)
	}
	return raw
}

func TestDevicesEmbedded(t *testing.T) { testDevices(t, embedded) }
func TestDevicesReal(t *testing.T)     { testDevices(t, real) }

func testDevices(t *testing.T, b backend) {
	s := start(t, b)
	st, raw := do(t, s.admin, "POST", "/api/v1/devices", jsonBody(map[string]any{"id": "cam-1", "labels": map[string]string{"site": "berlin", "tier": "prod"}}), "application/json")
	if st != http.StatusCreated {
		t.Fatalf("enroll: %d %s", st, raw)
	}
	enrolled := decode[api.EnrollResponse](t, raw)
	if enrolled.ID != "cam-1" || !strings.HasPrefix(enrolled.Credential, "edc_") {
		t.Fatalf("enrollment %+v", enrolled)
	}
	for _, d := range []map[string]any{
		{"id": "cam-2", "labels": map[string]string{"site": "berlin", "tier": "lab"}},
		{"id": "cam-3", "labels": map[string]string{"site": "paris"}},
	} {
		if st, raw := do(t, s.admin, "POST", "/api/v1/devices", jsonBody(d), "application/json"); st != http.StatusCreated {
			t.Fatalf("enroll: %d %s", st, raw)
		}
	}
	for name, tc := range map[string]struct {
		body   any
		status int
		field  string
	}{
		"duplicate":    {map[string]any{"id": "cam-1"}, 409, "id"},
		"bad id":       {map[string]any{"id": "a/b"}, 400, "id"},
		"missing id":   {map[string]any{}, 400, "id"},
		"bad label":    {map[string]any{"id": "x", "labels": map[string]string{"a b": "c"}}, 400, "labels"},
		"unknown key":  {map[string]any{"id": "x", "lables": map[string]string{}}, 400, "lables"},
		"wrong type":   {map[string]any{"id": 7}, 400, "id"},
		"huge payload": {map[string]any{"id": strings.Repeat("x", 2<<20)}, 413, ""},
	} {
		st, raw := do(t, s.admin, "POST", "/api/v1/devices", jsonBody(tc.body), "application/json")
		if e := decode[errBody](t, raw); st != tc.status || e.Error.Field != tc.field {
			t.Errorf("%s: %d %s, want %d field %q", name, st, raw, tc.status, tc.field)
		}
	}

	sel := decode[api.List[devices.Device]](t, get(t, s.admin, "/api/v1/devices?selector=site%3Dberlin%2Ctier%21%3Dlab"))
	if len(sel.Items) != 1 || sel.Items[0].ID != "cam-1" {
		t.Fatalf("selector: %+v", sel)
	}
	if st, _ := do(t, s.admin, "GET", "/api/v1/devices?selector=a%20b", nil, ""); st != http.StatusBadRequest {
		t.Fatalf("bad selector: %d", st)
	}
	st, raw = do(t, s.admin, "PATCH", "/api/v1/devices/cam-2", jsonBody(map[string]any{"labels": map[string]any{"tier": nil, "room": "3"}}), "application/json")
	if d := decode[devices.Device](t, raw); st != http.StatusOK || d.Labels["room"] != "3" || d.Labels["tier"] != "" {
		t.Fatalf("relabel: %d %s", st, raw)
	}
	if d := decode[devices.Device](t, get(t, s.admin, "/api/v1/devices/cam-2")); d.Labels["room"] != "3" {
		t.Fatalf("show after relabel: %+v", d)
	}

	// The embedded broker admits the device, then refuses it once revoked,
	// and revoking drops the session it already has.
	lost := make(chan struct{})
	if addr := s.MQTTAddr(); addr != "" {
		if err := mqttConnect(t, addr, "cam-1", "edc_wrong"); err == nil {
			t.Fatal("wrong credential admitted")
		}
		live := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID("cam-1").
			SetUsername("cam-1").SetPassword(enrolled.Credential).SetAutoReconnect(false).
			SetConnectionLostHandler(func(paho.Client, error) { close(lost) }))
		if tok := live.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("enrolled device refused by broker: %v", tok.Error())
		}
		defer live.Disconnect(0)
	}
	if st, raw := do(t, s.admin, "POST", "/api/v1/devices/cam-1/revoke", nil, ""); st != http.StatusOK {
		t.Fatalf("revoke: %d %s", st, raw)
	}
	if d := decode[devices.Device](t, get(t, s.admin, "/api/v1/devices/cam-1")); d.RevokedAt == nil {
		t.Fatal("device not marked revoked")
	}
	if addr := s.MQTTAddr(); addr != "" {
		select {
		case <-lost:
		case <-time.After(5 * time.Second):
			t.Fatal("revoked device's live session was not dropped")
		}
		if err := mqttConnect(t, addr, "cam-1", enrolled.Credential); err == nil {
			t.Fatal("revoked device admitted by broker")
		}
	}
	if st, _ := do(t, s.admin, "POST", "/api/v1/devices/nope/revoke", nil, ""); st != http.StatusNotFound {
		t.Fatalf("revoke missing: %d", st)
	}
}

func TestTokensAndHealth(t *testing.T) {
	s := start(t, embedded)
	st, raw := do(t, s.admin, "POST", "/api/v1/tokens", jsonBody(map[string]string{"name": "ci", "role": "viewer"}), "application/json")
	if st != http.StatusCreated {
		t.Fatalf("create token: %d %s", st, raw)
	}
	tok := decode[api.TokenResponse](t, raw)
	viewer := client.New(s.URL(), tok.Secret)
	get(t, viewer, "/api/v1/models")
	if st, _ := do(t, viewer, "POST", "/api/v1/models/m/versions?version=1", bytes.NewReader(tinyModel(t, 1)), ""); st != http.StatusForbidden {
		t.Fatalf("viewer upload: %d", st)
	}
	if st, _ := do(t, s.admin, "POST", "/api/v1/tokens", jsonBody(map[string]string{"role": "root"}), "application/json"); st != http.StatusBadRequest {
		t.Fatalf("bad role: %d", st)
	}
	list := decode[api.List[map[string]any]](t, get(t, s.admin, "/api/v1/tokens"))
	if len(list.Items) != 2 || strings.Contains(string(get(t, s.admin, "/api/v1/tokens")), tok.Secret) {
		t.Fatalf("token list %+v", list)
	}
	if st, _ := do(t, s.admin, "POST", "/api/v1/tokens/"+tok.ID+"/revoke", nil, ""); st != http.StatusOK {
		t.Fatalf("revoke token: %d", st)
	}
	if st, _ := do(t, viewer, "GET", "/api/v1/models", nil, ""); st != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", st)
	}

	anon := client.New(s.URL(), "")
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/signing-key"} {
		get(t, anon, p)
	}
	if m := string(get(t, anon, "/metrics")); !strings.Contains(m, `edgefleet_http_requests_total{code="401"`) {
		t.Fatalf("metrics lack request counts:\n%.2000s", m)
	}
	// Every response carries a request id.
	resp, err := http.Get(s.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id")
	}
}
