package ctl

import (
	"bytes"
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
