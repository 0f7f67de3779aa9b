// Package envflag lets every command-line flag be set from the environment:
// flag --device-id reads EDGEFLEET_DEVICE_ID. The precedence is flag, then
// environment, then the flag's default (config files sit below both and are
// handled by each binary).
package envflag

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// Prefix is prepended to every variable name.
const Prefix = "EDGEFLEET_"

// Name returns the environment variable for a flag name.
func Name(flag string) string {
	return Prefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Apply sets every flag of fs that was not given on the command line from its
// environment variable, when that variable is set. lookup is os.LookupEnv in
// production and a map in tests.
func Apply(fs *pflag.FlagSet, lookup func(string) (string, bool)) error {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		v, ok := lookup(Name(f.Name))
		if !ok {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("environment variable %s=%q for flag --%s: %w", Name(f.Name), v, f.Name, serr)
		}
	})
	return err
}
