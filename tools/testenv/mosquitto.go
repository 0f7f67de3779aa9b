package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Broker is a running Mosquitto.
type Broker struct {
	URL  string // tcp://127.0.0.1:PORT
	Addr string // 127.0.0.1:PORT
	Dir  string // the broker's working directory (config, password and ACL files)
}

// MosquittoConfig adjusts the broker's configuration.
type MosquittoConfig struct {
	// Extra is appended to mosquitto.conf, e.g. "password_file …" and
	// "acl_file …" lines. Without it the broker allows anonymous clients.
	Extra string
	// Port fixes the listener port (0 picks a free one). Tests that stop and
	// restart a broker pass the previous port.
	Port int
	// Persistent keeps sessions and queued messages in the broker's
	// directory across a graceful restart (StopGraceful + Restart).
	Persistent bool
	dir        string
}

// Mosquitto starts a Mosquitto broker that allows anonymous clients.
func Mosquitto(t testing.TB) *Broker {
	t.Helper()
	return MosquittoWith(t, MosquittoConfig{})
}

// MosquittoWith starts a Mosquitto broker with cfg. It is stopped at the end
// of the test; Stop ends it earlier.
func MosquittoWith(t testing.TB, cfg MosquittoConfig) *Broker {
	t.Helper()
	b, _ := startMosquitto(t, cfg)
	return b
}

// MosquittoProcess is a broker a test can stop and restart on the same port.
type MosquittoProcess struct {
	*Broker
	t   testing.TB
	cfg MosquittoConfig
	p   *process
}

// StartMosquittoProcess starts a broker that the test controls.
func StartMosquittoProcess(t testing.TB, cfg MosquittoConfig) *MosquittoProcess {
	t.Helper()
	b, p := startMosquitto(t, cfg)
	cfg.Port = portOf(b.Addr)
	cfg.dir = b.Dir
	return &MosquittoProcess{Broker: b, t: t, cfg: cfg, p: p}
}

// Stop kills the broker (SIGKILL, like a crash) and waits for it to exit.
func (m *MosquittoProcess) Stop() {
	_ = m.p.cmd.Process.Kill()
	<-m.p.done
}

// StopGraceful stops the broker with SIGTERM, so a persistent broker saves
// its sessions, and waits for it to exit.
func (m *MosquittoProcess) StopGraceful() {
	_ = m.p.cmd.Process.Signal(syscall.SIGTERM)
	<-m.p.done
}

// Start starts a stopped broker again on the same port and directory.
func (m *MosquittoProcess) Start() {
	m.t.Helper()
	_, m.p = startMosquitto(m.t, m.cfg)
}

// Restart kills the broker and starts it again on the same port.
func (m *MosquittoProcess) Restart() {
	m.t.Helper()
	m.Stop()
	m.Start()
}

func startMosquitto(t testing.TB, cfg MosquittoConfig) (*Broker, *process) {
	t.Helper()
	bin, err := findBinary("mosquitto", "EDGEFLEET_MOSQUITTO", "/usr/sbin")
	if err != nil {
		Unavailable(t, "mosquitto: %v (Debian package mosquitto)", err)
	}
	port := cfg.Port
	if port == 0 {
		port = FreePort(t)
	}
	dir := cfg.dir
	if dir == "" {
		dir = t.TempDir()
	}
	conf := fmt.Sprintf("listener %d 127.0.0.1\n", port)
	if os.Geteuid() == 0 {
		// Started as root, Mosquitto drops to user "mosquitto", which cannot
		// read the test's private temp directory.
		conf += "user root\n"
	}
	if cfg.Persistent {
		conf += fmt.Sprintf("persistence true\npersistence_location %s/\n", dir)
	} else {
		conf += "persistence false\n"
	}
	if cfg.Extra == "" {
		conf += "allow_anonymous true\n"
	} else {
		conf += cfg.Extra + "\n"
	}
	confPath := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatalf("testenv: write mosquitto.conf: %v", err)
	}
	p := start(t, "mosquitto", exec.Command(bin, "-c", confPath))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := p.waitTCP(addr, 10*time.Second); err != nil {
		Unavailable(t, "mosquitto did not start: %v", err)
	}
	return &Broker{URL: "tcp://" + addr, Addr: addr, Dir: dir}, p
}

func portOf(addr string) int {
	var port int
	_, _ = fmt.Sscanf(addr[len("127.0.0.1:"):], "%d", &port)
	return port
}
