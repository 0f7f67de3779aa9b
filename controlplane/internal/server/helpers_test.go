package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/tflite/builder"
	"github.com/edgefleet/edgefleet/tools/testenv"
)

// backend names one way to run the control plane in tests.
type backend struct {
	name string
	cfg  func(t *testing.T, cfg *Config)
}

var embedded = backend{name: "embedded", cfg: func(*testing.T, *Config) {}}

// real runs against MinIO and Mosquitto started by testenv.
var real = backend{name: "minio+mosquitto", cfg: func(t *testing.T, cfg *Config) {
	s3 := testenv.MinIO(t)
	mq := testenv.Mosquitto(t)
	cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey = s3.Endpoint, s3.AccessKey, s3.SecretKey
	cfg.S3Bucket = "edgefleet-it"
	cfg.MQTTURL = mq.URL
}}

// started is a control plane running for one test.
type started struct {
	*Server
	admin *client.Client
	cfg   Config
}

func start(t *testing.T, b backend) *started {
	t.Helper()
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.MQTTAddr = "127.0.0.1:0"
	b.cfg(t, &cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Start(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("start %s: %v", b.name, err)
	}
	t.Cleanup(func() { s.Close() })
	raw, err := os.ReadFile(filepath.Join(cfg.DataDir, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	return &started{Server: s, admin: client.New(s.URL(), strings.TrimSpace(string(raw))), cfg: cfg}
}

func tinyModel(t *testing.T, seed uint64) []byte {
	t.Helper()
	b, err := builder.TinyClassifier(seed)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// customOpModel is a two-op graph whose op 1 is a custom operator the
// engine refuses.
func customOpModel(t *testing.T) []byte {
	t.Helper()
	b := builder.New()
	q := builder.PerTensor(0.1, 0)
	in := b.Input("input", builder.Int8, []int{1, 4}, q)
	mid := b.Tensor("mid", builder.Int8, []int{1, 4}, q)
	out := b.Tensor("out", builder.Int8, []int{1, 4}, q)
	b.Op(builder.Relu{}, []int{in}, []int{mid})
	b.Op(builder.Relu{}, []int{mid}, []int{out})
	b.Output(out)
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	m.OperatorCodes = append(m.OperatorCodes, builder.OperatorCode{Builtin: builder.OpCustom, Version: 1, Custom: "Mystery"})
	m.Subgraphs[0].Operators[1].OpcodeIndex = uint32(len(m.OperatorCodes) - 1)
	m.Subgraphs[0].Operators[1].Options = nil
	return m.Encode()
}

// do sends a request and returns status and body.
func do(t *testing.T, c *client.Client, method, path string, body io.Reader, contentType string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusTemporaryRedirect {
		return resp.StatusCode, []byte(loc)
	}
	return resp.StatusCode, raw
}

func jsonBody(v any) io.Reader {
	raw, _ := json.Marshal(v)
	return bytes.NewReader(raw)
}

func multipartBody(t *testing.T, version string, file []byte) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("version", version); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("file", "model.tflite")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	w.Close()
	return &buf, w.FormDataContentType()
}

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Ops     []struct {
			Index int    `json:"index"`
			Name  string `json:"name"`
		} `json:"ops"`
		Users []string `json:"users"`
	} `json:"error"`
}

func decode[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, raw, err)
	}
	return v
}

// mqttConnect connects as a device to addr and reports the broker's answer.
func mqttConnect(t *testing.T, addr, id, credential string) error {
	opts := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).
		SetUsername(id).SetPassword(credential).SetAutoReconnect(false).SetConnectRetry(false)
	c := paho.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(5 * time.Second) {
		return errors.New("connect timed out")
	}
	if tok.Error() != nil {
		return tok.Error()
	}
	c.Disconnect(0)
	return nil
}
