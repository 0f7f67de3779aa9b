package testenv

import (
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"
)

// S3 is a running MinIO server.
type S3 struct {
	Endpoint  string // 127.0.0.1:PORT, no scheme (minio-go's form)
	URL       string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
}

// MinIO starts a MinIO server with a fresh data directory. The binary comes
// from $EDGEFLEET_MINIO, the repository's .cache/bin (where `make deps`
// builds it) or PATH.
func MinIO(t testing.TB) *S3 {
	t.Helper()
	bin, err := findBinary("minio", "EDGEFLEET_MINIO")
	if err != nil {
		Unavailable(t, "minio: %v (`make deps` builds it into .cache/bin)", err)
	}
	port, consolePort := FreePort(t), FreePort(t)
	s := &S3{
		Endpoint:  fmt.Sprintf("127.0.0.1:%d", port),
		AccessKey: "edgefleet-test",
		SecretKey: "edgefleet-test-secret",
	}
	s.URL = "http://" + s.Endpoint
	cmd := exec.Command(bin, "server", t.TempDir(), "--quiet",
		"--address", s.Endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort))
	cmd.Env = append(cmd.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	p := start(t, "minio", cmd)
	if err := waitReady(p, s.URL+"/minio/health/ready", 60*time.Second); err != nil {
		Unavailable(t, "minio did not become ready: %v", err)
	}
	return s
}

func waitReady(p *process, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("exited early: %s", p.out.String())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %s", url, timeout, p.out.String())
}
