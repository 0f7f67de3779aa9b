package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/agent/internal/config"
)

func TestConfigCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"config", "example"}, &out, &errb); code != 0 {
		t.Fatalf("config example: exit %d: %s", code, errb.String())
	}
	if _, err := config.Parse(out.Bytes()); err != nil {
		t.Fatalf("config example output does not parse: %v", err)
	}

	t.Setenv("EDGEFLEET_QUEUE_LENGTH", "7")
	out.Reset()
	if code := Main([]string{"config", "show", "--pool-size", "3", "--data-dir", "/d"}, &out, &errb); code != 0 {
		t.Fatalf("config show: exit %d: %s", code, errb.String())
	}
	cfg, err := config.Parse(out.Bytes())
	if err != nil {
		t.Fatalf("config show output does not parse: %v\n%s", err, out.String())
	}
	if cfg.Runtime.PoolSize != 3 || cfg.Runtime.QueueLength != 7 || cfg.DataDir != "/d" {
		t.Fatalf("config show: %+v", cfg)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "data_dir: required"},
		{[]string{"run", "--data-dir", t.TempDir(), "--pool-size", "0"}, "runtime.pool_size"},
		{[]string{"run", "--data-dir", t.TempDir(), "--body-limit", "lots"}, "body-limit"},
		{[]string{"run", "--config", "/nonexistent/agent.yaml"}, "no such file"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		if code := Main(tc.args, &out, &errb); code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want failure mentioning %q", tc.args, code, errb.String(), tc.want)
		}
	}
}
