package e2e

import (
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// outage is how long the broker stays down: 60 s as the telemetry issue
// asks, shorter with -short or EDGEFLEET_E2E_OUTAGE.
func outage() time.Duration {
	if v := os.Getenv("EDGEFLEET_E2E_OUTAGE"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	if testing.Short() {
		return 5 * time.Second
	}
	return 60 * time.Second
}

// assertExactlyOnce checks that every window the device produced reached
// the control plane once: no gaps, every request counted once.
func assertExactlyOnce(t *testing.T, f *fleet, id string, served uint64) {
	t.Helper()
	var got deviceTelemetry
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = f.telemetry(id)
		if got.requests() >= served && got.Missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got.Missing != 0 || len(got.Gaps) != 0 {
		t.Errorf("windows lost: %d missing, gaps %v", got.Missing, got.Gaps)
	}
	if got.Received != got.LastSeq {
		t.Errorf("received %d distinct windows but the last sequence number is %d", got.Received, got.LastSeq)
	}
	if got.requests() != served {
		t.Errorf("control plane counted %d requests, the agent served %d", got.requests(), served)
	}
	t.Logf("windows %d (duplicates dropped: %d), requests %d", got.Received, got.Duplicates, got.requests())
}

// serveThrough runs load on the agent while breakage happens, then lets the
// last windows go out, and returns how many requests succeeded.
func serveThrough(t *testing.T, f *fleet, a *agent, breakage func()) uint64 {
	t.Helper()
	var ok atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { a.load(stop, &ok); close(done) }()
	waitFor(t, "first windows at the control plane", 30*time.Second, func() bool { return f.telemetry(a.id).Received >= 2 })
	breakage()
	time.Sleep(2 * time.Second)
	close(stop)
	<-done
	time.Sleep(2500 * time.Millisecond) // every served request lands in a closed window
	if ok.Load() == 0 {
		t.Fatal("no request succeeded")
	}
	return ok.Load()
}

// brokers runs a test on real Mosquitto and on the control plane's
// embedded broker; the embedded broker goes down by stopping the whole
// control plane, and comes back when it restarts on the same data.
func brokers(t *testing.T, test func(t *testing.T, f *fleet)) {
	for _, external := range []bool{true, false} {
		name := map[bool]string{true: "mosquitto", false: "embedded"}[external]
		t.Run(name, func(t *testing.T) { test(t, newFleet(t, external)) })
	}
}

func (f *fleet) brokerDown() {
	if f.broker != nil {
		f.broker.StopGraceful()
	} else {
		f.cp.stop(f.t)
	}
}

func (f *fleet) brokerUp() {
	if f.broker != nil {
		f.broker.Start()
	} else {
		f.startCP()
	}
}

func TestTelemetryBrokerOutage(t *testing.T) {
	brokers(t, func(t *testing.T, f *fleet) {
		a := f.device("cam-1")
		a.start()
		served := serveThrough(t, f, a, func() {
			f.brokerDown()
			time.Sleep(outage())
			f.brokerUp()
		})
		assertExactlyOnce(t, f, a.id, served)
	})
}

// TestTelemetryAgentKill9 kills the agent mid-stream several times: every
// spooled window still arrives, sequence numbers continue across restarts,
// and redelivered windows are removed as duplicates.
func TestTelemetryAgentKill9(t *testing.T) { brokers(t, testKill9) }

func testKill9(t *testing.T, f *fleet) {
	a := f.device("cam-1")
	a.start()
	var ok atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { a.load(stop, &ok); close(done) }()
	for i := range 3 {
		waitFor(t, "windows flowing", 30*time.Second, func() bool { return f.telemetry(a.id).Received >= uint64(2*(i+1)) })
		time.Sleep(time.Duration(300+i*350) * time.Millisecond)
		a.p.kill()
		a.start()
	}
	close(stop)
	<-done
	time.Sleep(2500 * time.Millisecond)
	var got deviceTelemetry
	waitFor(t, "windows after the last restart", 20*time.Second, func() bool {
		got = f.telemetry(a.id)
		return got.Received >= 8 && got.Received == got.LastSeq
	})
	if got.Missing != 0 {
		t.Fatalf("windows lost across kill -9: missing %d gaps %v", got.Missing, got.Gaps)
	}
	t.Logf("after 3 kills: %d windows, %d duplicates removed, %d requests counted of %d served", got.Received, got.Duplicates, got.requests(), ok.Load())
}

// TestTelemetrySpoolFull keeps the agent offline until its small spool
// overflows: the oldest windows are dropped, and the drop count arrives.
func TestTelemetrySpoolFull(t *testing.T) { brokers(t, testSpoolFull) }

func testSpoolFull(t *testing.T, f *fleet) {
	a := f.device("cam-1", "--spool-bytes", "4KiB", "--telemetry-encoding", "json")
	f.brokerDown()
	a.p = start(t, "edgefleet-agent", a.args...) // readiness needs no broker
	waitFor(t, "agent ready", 20*time.Second, func() bool { return a.infer(t.Context()) })
	for range 3 { // requests make the windows bigger
		a.infer(t.Context())
	}
	time.Sleep(12 * time.Second) // ~12 windows of ~1 KiB into a 4 KiB spool
	f.brokerUp()
	var got deviceTelemetry
	waitFor(t, "drop count at the control plane", 30*time.Second, func() bool {
		got = f.telemetry(a.id)
		return got.Dropped > 0 && got.Received+got.Missing == got.LastSeq && got.Missing == got.Dropped
	})
	t.Logf("spool full: %d windows received, %d dropped by the device and reported", got.Received, got.Dropped)
}
