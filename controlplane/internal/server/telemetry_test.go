package server

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/edgefleet/edgefleet/controlplane/internal/api"
	"github.com/edgefleet/edgefleet/controlplane/internal/devices"
	"github.com/edgefleet/edgefleet/controlplane/internal/ingest"
	devicev1 "github.com/edgefleet/edgefleet/proto/device/v1"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

func TestTelemetryEmbedded(t *testing.T) { testTelemetry(t, embedded) }
func TestTelemetryReal(t *testing.T)     { testTelemetry(t, real) }

// testTelemetry plays a device over MQTT and checks what the control plane
// makes of it: presence and status on the device, deduplicated telemetry
// with gaps, model metrics, the live stream and Prometheus aggregates.
func testTelemetry(t *testing.T, b backend) {
	s := start(t, b)
	st, raw := do(t, s.admin, "POST", "/api/v1/devices", jsonBody(map[string]any{"id": "cam-1", "labels": map[string]string{"site": "berlin"}}), "application/json")
	if st != http.StatusCreated {
		t.Fatalf("enroll: %d %s", st, raw)
	}
	cred := decode[api.EnrollResponse](t, raw).Credential
	body, ctype := multipartBody(t, "1", tinyModel(t, 1))
	if st, raw := do(t, s.admin, "POST", "/api/v1/models/person/versions", body, ctype); st != http.StatusCreated {
		t.Fatalf("publish: %d %s", st, raw)
	}

	broker := "tcp://" + s.MQTTAddr()
	if s.cfg.MQTTURL != "" {
		broker = s.cfg.MQTTURL
	}
	dev := paho.NewClient(paho.NewClientOptions().AddBroker(broker).SetClientID("cam-1").SetUsername("cam-1").SetPassword(cred))
	if tok := dev.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("device connect: %v", tok.Error())
	}
	defer dev.Disconnect(50)
	publish := func(kind string, m proto.Message, json bool) {
		t.Helper()
		var p []byte
		var err error
		if json {
			p, err = protojson.Marshal(m)
		} else {
			p, err = proto.Marshal(m)
		}
		if err != nil {
			t.Fatal(err)
		}
		if tok := dev.Publish("edgefleet/v1/devices/cam-1/"+kind, 1, kind != "telemetry", p); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish %s: %v", kind, tok.Error())
		}
	}
	now := time.Now()
	window := func(seq uint64) *telemetryv1.Batch {
		counts := make([]uint64, 18)
		counts[4] = 10
		return &telemetryv1.Batch{DeviceId: "cam-1", BootId: "boot", Seq: seq, WindowEnd: timestamppb.New(now),
			Models: []*telemetryv1.ModelWindow{{Model: "person", Version: "1", Requests: 10, Errors: []*telemetryv1.ErrorCount{{Kind: "bad_request", Count: 1}},
				LatencyBoundsUs: []uint64{50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000},
				LatencyCounts:   counts, Top1: []*telemetryv1.ClassCount{{Class: 2, Count: 9}}}}}
	}

	// Stream first, so the batches below show up live.
	req, _ := http.NewRequest("GET", s.URL()+"/api/v1/telemetry/stream?device=cam-1", nil)
	req.Header.Set("Authorization", "Bearer "+s.admin.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, resp)
	}
	defer resp.Body.Close()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) != "" {
				lines <- sc.Text()
			}
		}
	}()

	publish("presence", &devicev1.Presence{Online: true, Session: 1}, false)
	publish("status", &devicev1.Status{DeviceId: "cam-1", Models: []*devicev1.ModelStatus{{Name: "person", ActiveVersion: "1", State: "active"}}}, false)
	for i, seq := range []uint64{1, 2, 2, 4} {
		publish("telemetry", window(seq), i%2 == 1) // protobuf and JSON payloads
	}

	var tel ingest.DeviceTelemetry
	waitUntil(t, "telemetry ingested", func() bool {
		_, raw := do(t, s.admin, "GET", "/api/v1/devices/cam-1/telemetry", nil, "")
		tel = decode[ingest.DeviceTelemetry](t, raw)
		return tel.Received+tel.Duplicates >= 4
	})
	if tel.Received != 3 || tel.Duplicates != 1 || tel.Missing != 1 || tel.LastSeq != 4 || len(tel.Gaps) != 1 || tel.Gaps[0] != [2]uint64{3, 3} {
		t.Fatalf("telemetry state: %+v", tel)
	}
	if len(tel.Buckets) != 1 || tel.Buckets[0].Models[0].Requests != 30 {
		t.Fatalf("buckets: %+v", tel.Buckets)
	}

	waitUntil(t, "presence and status recorded", func() bool {
		_, raw := do(t, s.admin, "GET", "/api/v1/devices/cam-1", nil, "")
		d := decode[devices.Device](t, raw)
		return d.Presence == "online" && d.Active != nil && d.Active.Version == "1"
	})

	st, raw = do(t, s.admin, "GET", "/api/v1/models/person/versions/1/metrics", nil, "")
	m := decode[ingest.ModelMetrics](t, raw)
	if st != 200 || m.Requests != 30 || m.Errors != 3 || m.Top1[2] != 27 || m.LatencyP50Us <= 500 || m.LatencyP50Us > 1000 {
		t.Fatalf("metrics: %d %+v", st, m)
	}

	for _, tc := range []struct {
		path, field string
		status      int
	}{
		{"/api/v1/devices/ghost/telemetry", "", 404},
		{"/api/v1/models/person/versions/9/metrics", "", 404},
		{"/api/v1/devices/cam-1/telemetry?from=yesterday", "from", 400},
		{"/api/v1/devices/cam-1/telemetry?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from", 400},
		{"/api/v1/devices/cam-1/telemetry?from=0", "from", 400}, // longer than 31 days
	} {
		st, raw := do(t, s.admin, "GET", tc.path, nil, "")
		if st != tc.status || (tc.field != "" && !strings.Contains(string(raw), `"field":"`+tc.field+`"`)) {
			t.Errorf("GET %s = %d %s, want %d field %q", tc.path, st, raw, tc.status, tc.field)
		}
	}

	// Counters move right after the commit the API already shows.
	wants := []string{"edgefleet_telemetry_batches_total 3", "edgefleet_telemetry_duplicates_total 1", `edgefleet_model_requests_total{model="person",version="1"} 30`}
	waitUntil(t, "fleet aggregates on /metrics", func() bool {
		_, raw = do(t, s.admin, "GET", "/metrics", nil, "")
		for _, want := range wants {
			if !strings.Contains(string(raw), want) {
				return false
			}
		}
		return true
	})

	seen := map[uint64]bool{}
	deadline := time.After(5 * time.Second)
	for len(seen) < 3 {
		select {
		case l := <-lines:
			var bt telemetryv1.Batch
			if err := protojson.Unmarshal([]byte(l), &bt); err != nil {
				t.Fatalf("stream line %q: %v", l, err)
			}
			if seen[bt.Seq] {
				t.Fatalf("stream repeated seq %d (duplicates must not be streamed)", bt.Seq)
			}
			seen[bt.Seq] = true
		case <-deadline:
			t.Fatalf("stream delivered %v, want seqs 1, 2, 4", seen)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
