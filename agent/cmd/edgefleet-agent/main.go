// Command edgefleet-agent is the device daemon: it serves local inference
// from its bbolt model cache and keeps the device in line with the control
// plane. See `edgefleet-agent --help`.
package main

import (
	"os"

	"github.com/edgefleet/edgefleet/agent/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
