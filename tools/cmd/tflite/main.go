// Command tflite inspects, runs, checks and benchmarks TFLite models with
// edgefleet's pure-Go engine. See `tflite help`.
package main

import (
	"os"

	"github.com/edgefleet/edgefleet/tools/internal/enginecli"
)

func main() {
	os.Exit(enginecli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
