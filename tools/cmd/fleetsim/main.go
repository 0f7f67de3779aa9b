// Command fleetsim simulates a fleet of edgefleet devices against a control
// plane, for demos and load tests. See `fleetsim --help`.
package main

import (
	"os"

	"github.com/edgefleet/edgefleet/tools/internal/fleetsim"
)

func main() {
	os.Exit(fleetsim.Main(os.Args[1:], os.Stdout, os.Stderr))
}
