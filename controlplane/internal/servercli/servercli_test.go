package servercli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndHelp(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--help"}} {
		var out, errb bytes.Buffer
		if code := Main(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errb.String())
		}
		if out.Len() == 0 || !strings.Contains(out.String()+errb.String(), "edgefleet") {
			t.Fatalf("%v: unexpected output %q", args, out.String())
		}
	}
	if code := Main([]string{"bogus"}, new(bytes.Buffer), new(bytes.Buffer)); code == 0 {
		t.Fatal("unknown command exited 0")
	}
}

func TestMosquittoConfig(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main([]string{"mosquitto-config", "--out", dir, "--listener", "1884 127.0.0.1"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	conf, err := os.ReadFile(filepath.Join(dir, "mosquitto.conf"))
	if err != nil {
		t.Fatal(err)
	}
	acl, err := os.ReadFile(filepath.Join(dir, "acl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listener 1884 127.0.0.1", "allow_anonymous false", "acl_file " + filepath.Join(dir, "acl")} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("mosquitto.conf lacks %q:\n%s", want, conf)
		}
	}
	if !strings.Contains(string(acl), "pattern write edgefleet/v1/devices/%u/telemetry") || !strings.Contains(string(acl), "pattern read edgefleet/v1/devices/%u/desired") {
		t.Errorf("acl:\n%s", acl)
	}
	if code := Main([]string{"mosquitto-config"}, new(bytes.Buffer), &errb); code == 0 || !strings.Contains(errb.String(), "--out is required") {
		t.Fatalf("missing --out: %d %q", code, errb.String())
	}
}
