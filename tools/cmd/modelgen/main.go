// Command modelgen writes the project's standard generated .tflite test
// models into a directory:
//
//	modelgen --out DIR [--seed N]
//	modelgen --list
//
// Every flag also reads EDGEFLEET_<FLAG> (EDGEFLEET_OUT, EDGEFLEET_SEED).
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"

	"github.com/edgefleet/edgefleet/tools/internal/modelgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		slog.Error("modelgen failed", "err", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("modelgen", flag.ContinueOnError)
	out := fs.String("out", os.Getenv("EDGEFLEET_OUT"), "directory to write the models into (created if missing)")
	seedDefault := uint64(1)
	if s := os.Getenv("EDGEFLEET_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("EDGEFLEET_SEED=%q: %w", s, err)
		}
		seedDefault = v
	}
	seed := fs.Uint64("seed", seedDefault, "seed of the deterministic weights")
	list := fs.Bool("list", false, "list the models instead of writing them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, s := range modelgen.Specs() {
			fmt.Fprintf(stdout, "%-18s %s\n", s.File, s.Summary)
		}
		return nil
	}
	if *out == "" {
		return fmt.Errorf("--out DIR is required")
	}
	paths, err := modelgen.Write(*out, *seed)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
