//go:build linux

package main

import (
	"os/exec"
	"slices"
	"testing"
)

func TestParseConfig(t *testing.T) {
	cfg, err := parseConfig([]byte(`{"args":["/bin/x","-test.run","A|B"],"env":["K=V"],"cpuinfo":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Args) != 3 || cfg.Args[2] != "A|B" || cfg.Env[0] != "K=V" || !cfg.CPUInfo {
		t.Errorf("parsed %+v", cfg)
	}
	if cfg.Dir != "/" {
		t.Errorf("Dir = %q, want / when unset", cfg.Dir)
	}
	for _, bad := range []string{`{}`, `{"args":[""]}`, `not json`} {
		if _, err := parseConfig([]byte(bad)); err == nil {
			t.Errorf("parseConfig(%s) succeeded", bad)
		}
	}
}

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"kill -ILL $$", 128 + 4},
	} {
		if got := exitCode(exec.Command("/bin/sh", "-c", c.script).Run()); got != c.want {
			t.Errorf("%q: exit code %d, want %d", c.script, got, c.want)
		}
	}
	if got := exitCode(exec.Command("/nonexistent/program").Run()); got != 127 {
		t.Errorf("missing program: exit code %d, want 127", got)
	}
}

func TestEnviron(t *testing.T) {
	env := environ([]string{"K=V", "HOME=/work", "GODEBUG=cpu.avx512f=on"})
	for _, want := range []string{"K=V", "HOME=/work", "GODEBUG=" + godebugNoAVX512 + ",cpu.avx512f=on"} {
		if !slices.Contains(env, want) {
			t.Errorf("environment %q lacks %q", env, want)
		}
	}
	// The configured values come after the base ones: os/exec keeps the last.
	if slices.Index(env, "HOME=/work") < slices.Index(env, "HOME=/root") {
		t.Errorf("HOME=/work before the base HOME in %q", env)
	}
}
