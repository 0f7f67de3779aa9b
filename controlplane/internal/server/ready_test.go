package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/tools/testenv"
)

// TestReadyzFollowsExternalBroker: /readyz is 200 with Mosquitto up, 503
// while it is down, and 200 again once the session reconnects.
func TestReadyzFollowsExternalBroker(t *testing.T) {
	mq := testenv.StartMosquittoProcess(t, testenv.MosquittoConfig{})
	s := start(t, backend{name: "mosquitto", cfg: func(_ *testing.T, c *Config) { c.MQTTURL = mq.URL }})
	anon := client.New(s.URL(), "")
	waitStatus := func(want int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, raw := do(t, anon, "GET", "/readyz", nil, "")
			if st == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz stayed %d (%s), want %d", st, raw, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitStatus(http.StatusOK)
	mq.Stop()
	waitStatus(http.StatusServiceUnavailable)
	mq.Restart()
	waitStatus(http.StatusOK)
}
