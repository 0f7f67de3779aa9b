// Command edgefleetctl is the operator CLI for the control plane's API. See
// `edgefleetctl --help`.
package main

import (
	"os"

	"github.com/edgefleet/edgefleet/controlplane/internal/ctl"
)

func main() {
	os.Exit(ctl.Main(os.Args[1:], os.Stdout, os.Stderr))
}
