package install

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Client calls a running agent's admin routes; the `models` CLI uses it when
// the database is locked by that agent.
type Client struct {
	// BaseURL is the agent's local API, e.g. "http://127.0.0.1:8470".
	BaseURL string
	// HTTP is the client to use; nil uses http.DefaultClient.
	HTTP *http.Client
}

// NewClient returns a Client for addr: "host:port" (the agent's
// --http-addr), a full "http://..." URL, or "unix:/path/to/socket" (the
// agent's --unix-socket).
func NewClient(addr string) *Client {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}
		return &Client{BaseURL: "http://localhost", HTTP: &http.Client{Transport: tr}}
	}
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return &Client{BaseURL: addr}
}

// APIError is a non-2xx admin answer.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("agent answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Import uploads a model and its manifest document (signed manifest JSON, as
// read from the --manifest file).
func (c *Client) Import(ctx context.Context, blob, manifestJSON []byte, activate bool) (ImportResponse, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile(FormModel, "model.tflite")
	if err == nil {
		_, err = fw.Write(blob)
	}
	if err == nil {
		err = mw.WriteField(FormManifest, string(manifestJSON))
	}
	if err == nil && activate {
		err = mw.WriteField(FormActivate, "true")
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return ImportResponse{}, fmt.Errorf("import: build request: %w", err)
	}
	var out ImportResponse
	err = c.do(ctx, http.MethodPost, AdminPrefix, mw.FormDataContentType(), &body, &out)
	return out, err
}

// List returns every stored version.
func (c *Client) List(ctx context.Context) (ListResponse, error) {
	var out ListResponse
	err := c.do(ctx, http.MethodGet, AdminPrefix, "", nil, &out)
	return out, err
}

// Activate makes version active after the agent verified it.
func (c *Client) Activate(ctx context.Context, name, version string) (PointerResponse, error) {
	req, err := json.Marshal(ActivateRequest{Version: version})
	if err != nil {
		return PointerResponse{}, fmt.Errorf("activate: %w", err)
	}
	var out PointerResponse
	err = c.do(ctx, http.MethodPost, AdminPrefix+"/"+url.PathEscape(name)+"/activate", contentTypeJSON, bytes.NewReader(req), &out)
	return out, err
}

// Rollback swaps name's active and previous versions.
func (c *Client) Rollback(ctx context.Context, name string) (PointerResponse, error) {
	var out PointerResponse
	err := c.do(ctx, http.MethodPost, AdminPrefix+"/"+url.PathEscape(name)+"/rollback", "", nil, &out)
	return out, err
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	if contentType != "" {
		req.Header.Set(headerContentType, contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, u, err)
	}
	if resp.StatusCode/100 != 2 {
		var e ErrorResponse
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, u, err)
	}
	return nil
}
