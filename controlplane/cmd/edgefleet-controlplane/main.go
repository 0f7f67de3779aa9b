// Command edgefleet-controlplane is the cloud service: model registry, device
// registry and telemetry ingestion today; rollouts and cloud inference are
// still to come. See `edgefleet-controlplane --help`.
package main

import (
	"os"

	"github.com/edgefleet/edgefleet/controlplane/internal/servercli"
)

func main() {
	os.Exit(servercli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
