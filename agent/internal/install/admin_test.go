package install

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/proto/manifest"
)

func TestAdminRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var changed []string
	h := NewAdminHandler(New(st, Config{Trusted: trustedKeys(), Logger: discardLogger()}), AdminOptions{
		MaxUploadBytes: 64 << 10,
		OnChange:       func(_ context.Context, name string) error { changed = append(changed, name); return nil },
		Logger:         discardLogger(),
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client()}

	blob1, m1 := tinyModel(t, "tiny", "1", 1)
	blob2, m2 := tinyModel(t, "tiny", "2", 2)
	doc := func(m manifest.Manifest) []byte {
		data, err := json.Marshal(sign(t, m))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	res, err := c.Import(ctx, blob1, doc(m1), true)
	if err != nil || !res.Activated || res.SHA256 != m1.SHA256 {
		t.Fatalf("Import = %+v, %v", res, err)
	}
	if _, err := c.Import(ctx, blob2, doc(m2), false); err != nil {
		t.Fatal(err)
	}
	p, err := c.Activate(ctx, "tiny", "2")
	if err != nil || p.Active != "2" || p.Previous != "1" {
		t.Fatalf("Activate = %+v, %v", p, err)
	}
	p, err = c.Rollback(ctx, "tiny")
	if err != nil || p.Active != "1" || p.Previous != "2" {
		t.Fatalf("Rollback = %+v, %v", p, err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list.Models) != 2 || !list.Models[0].Active || !list.Models[1].Previous {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if strings.Join(changed, ",") != "tiny,tiny,tiny" {
		t.Fatalf("OnChange calls %q, want three for tiny", changed)
	}

	tampered := sign(t, m2)
	tampered.Manifest.Size++
	tamperedDoc, _ := json.Marshal(tampered)
	big := make([]byte, 70<<10)
	tests := []struct {
		name       string
		call       func() error
		wantStatus int
		wantMsg    string
	}{
		{"tampered manifest", func() error { _, err := c.Import(ctx, blob2, tamperedDoc, true); return err }, 422, "signature is invalid"},
		{"unsigned", func() error {
			data, _ := json.Marshal(m2)
			_, err := c.Import(ctx, blob2, data, true)
			return err
		}, 422, "not signed"},
		{"not json", func() error { _, err := c.Import(ctx, blob2, []byte("{"), true); return err }, 400, "decode manifest"},
		{"too large", func() error { _, err := c.Import(ctx, big, doc(m2), true); return err }, 413, "exceeds 65536 bytes"},
		{"unknown version", func() error { _, err := c.Activate(ctx, "tiny", "7"); return err }, 404, "version 7"},
		{"unknown model", func() error { _, err := c.Rollback(ctx, "nope"); return err }, 404, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tc.wantStatus || !strings.Contains(apiErr.Message, tc.wantMsg) {
				t.Fatalf("error %v, want status %d containing %q", err, tc.wantStatus, tc.wantMsg)
			}
		})
	}

	resp, err := http.Post(srv.URL+AdminPrefix+"/tiny/activate", "application/json", strings.NewReader(`{"ver":"1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("activate with bad body: %d, want 400", resp.StatusCode)
	}
}

func TestAdminOnChangeFailureReported(t *testing.T) {
	st := openStore(t)
	h := NewAdminHandler(New(st, Config{Trusted: trustedKeys(), Logger: discardLogger()}), AdminOptions{
		OnChange: func(context.Context, string) error { return errors.New("runtime is full") },
		Logger:   discardLogger(),
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	blob, m := tinyModel(t, "tiny", "1", 1)
	data, _ := json.Marshal(sign(t, m))
	_, err := (&Client{BaseURL: srv.URL}).Import(context.Background(), blob, data, true)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 500 || !strings.Contains(apiErr.Message, "runtime is full") {
		t.Fatalf("Import = %v, want 500 naming the runtime failure", err)
	}
}
