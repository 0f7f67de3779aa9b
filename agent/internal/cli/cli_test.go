package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{args: []string{"version"}, wantOut: "edgefleet "},
		{args: []string{"selfcheck"}, wantOut: "selfcheck ok"},
		{args: []string{"--help"}, wantOut: "EDGEFLEET_DATA_DIR"},
		{args: []string{"no-such-command"}, wantCode: 1},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(tc.args, &out, &errb)
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tc.wantCode, errb.String())
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("stdout %q does not contain %q", out.String(), tc.wantOut)
			}
		})
	}
}
