package envflag

import (
	"testing"

	"github.com/spf13/pflag"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{name: "default", want: "127.0.0.1:8470"},
		{name: "env", env: map[string]string{"EDGEFLEET_HTTP_ADDR": "0.0.0.0:1"}, want: "0.0.0.0:1"},
		{name: "flag beats env", args: []string{"--http-addr", "a:2"}, env: map[string]string{"EDGEFLEET_HTTP_ADDR": "b:3"}, want: "a:2"},
		{name: "bad value", env: map[string]string{"EDGEFLEET_WORKERS": "many"}, want: "127.0.0.1:8470", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
			addr := fs.String("http-addr", "127.0.0.1:8470", "")
			fs.Int("workers", 1, "")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := Apply(fs, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if *addr != tc.want {
				t.Fatalf("http-addr = %q, want %q", *addr, tc.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	if got := Name("device-credential"); got != "EDGEFLEET_DEVICE_CREDENTIAL" {
		t.Fatalf("Name = %q", got)
	}
}
