// Package benchharness times edgefleet's pure-Go TFLite engine side by side
// with reference runtimes (LiteRT/XNNPACK, TensorFlow Lite 2.2) on the same
// models, alternating the two in one run so that machine noise hits both,
// and reports medians and ratios.
package benchharness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Config says what to measure.
type Config struct {
	// Models are .tflite paths; ModelsDir adds every *.tflite under it.
	Models    []string
	ModelsDir string
	// Node is the node executable, RefScript the reference CLI
	// (shared/reference/tflite-ref.mjs).
	Node, RefScript string
	// Engines are reference engines ("litert", "tflite", "tfjs-tflite");
	// ratios are ours ÷ each engine's time.
	Engines []string
	// Binaries are other builds of the `tflite` engine CLI (e.g. an older
	// commit's), timed with `BIN bench MODEL`; each becomes a column
	// named after the file.
	Binaries []string
	Runs     int // timed invocations per measurement
	Warmup   int // untimed invocations first
	Rounds   int // alternating rounds; the reported value is the median round
	Threads  int // threads for both engines
	// SkipReference measures only our engine (no node needed).
	SkipReference bool
	Logger        *slog.Logger
}

// Row is one model's result; times are milliseconds.
type Row struct {
	Model string
	Ours  float64
	// Ref holds each engine's median, NaN-free: a failed engine is
	// recorded in RefErr instead.
	Ref    map[string]float64
	RefErr map[string]string
}

// Ratio returns ours ÷ engine, or 0 when the engine has no time.
func (r Row) Ratio(engine string) float64 {
	if v, ok := r.Ref[engine]; ok && v > 0 {
		return r.Ours / v
	}
	return 0
}

// ModelPaths resolves the models to measure, sorted by file name.
func (c *Config) ModelPaths() ([]string, error) {
	paths := slices.Clone(c.Models)
	if c.ModelsDir != "" {
		found, err := filepath.Glob(filepath.Join(c.ModelsDir, "*.tflite"))
		if err != nil {
			return nil, fmt.Errorf("models dir %q: %w", c.ModelsDir, err)
		}
		paths = append(paths, found...)
	}
	if len(paths) == 0 {
		return nil, errors.New("no models: give model files or --models-dir")
	}
	sort.Slice(paths, func(i, j int) bool { return filepath.Base(paths[i]) < filepath.Base(paths[j]) })
	return slices.Compact(paths), nil
}

func (c *Config) validate() error {
	switch {
	case c.Runs < 1:
		return fmt.Errorf("runs = %d, want ≥ 1", c.Runs)
	case c.Warmup < 0:
		return fmt.Errorf("warmup = %d, want ≥ 0", c.Warmup)
	case c.Rounds < 1:
		return fmt.Errorf("rounds = %d, want ≥ 1", c.Rounds)
	case c.Threads < 1:
		return fmt.Errorf("threads = %d, want ≥ 1", c.Threads)
	}
	for _, b := range c.Binaries {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("engine binary: %w", err)
		}
	}
	if !c.SkipReference {
		if len(c.Engines) == 0 {
			return errors.New("no reference engines given")
		}
		if _, err := os.Stat(c.RefScript); err != nil {
			return fmt.Errorf("reference script: %w", err)
		}
	}
	return nil
}

// Run measures every model: per round, our engine then each reference
// engine, each reporting the median of Runs timed invocations; a model's
// value per engine is the median over rounds. A reference engine that
// fails on a model (it may not support it) is recorded, not fatal.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("bench harness: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	paths, err := cfg.ModelPaths()
	if err != nil {
		return nil, fmt.Errorf("bench harness: %w", err)
	}
	rows := make([]Row, 0, len(paths))
	for _, path := range paths {
		row := Row{Model: strings.TrimSuffix(filepath.Base(path), ".tflite"), Ref: map[string]float64{}, RefErr: map[string]string{}}
		ours := make([]float64, 0, cfg.Rounds)
		refs := map[string][]float64{}
		for round := 0; round < cfg.Rounds; round++ {
			ms, err := benchOurs(ctx, path, cfg.Runs, cfg.Warmup, cfg.Threads)
			if err != nil {
				return rows, fmt.Errorf("bench harness: %s: our engine: %w", row.Model, err)
			}
			ours = append(ours, ms)
			log.Debug("measured", "model", row.Model, "engine", "edgefleet", "round", round, "median_ms", ms)
			for _, col := range cfg.Columns() {
				if _, failed := row.RefErr[col.Name]; failed {
					continue
				}
				eng := col.Name
				var ms float64
				var err error
				if col.Binary != "" {
					ms, err = benchBinary(ctx, col.Binary, path, cfg.Runs, cfg.Warmup, cfg.Threads)
				} else {
					ms, err = benchReference(ctx, cfg.Node, cfg.RefScript, path, eng, cfg.Runs, cfg.Warmup, cfg.Threads)
				}
				if err != nil {
					if ctx.Err() != nil {
						return rows, fmt.Errorf("bench harness: %w", ctx.Err())
					}
					log.Warn("reference engine failed", "model", row.Model, "engine", eng, "err", err)
					row.RefErr[eng] = err.Error()
					continue
				}
				refs[eng] = append(refs[eng], ms)
				log.Debug("measured", "model", row.Model, "engine", eng, "round", round, "median_ms", ms)
			}
		}
		row.Ours = median(ours)
		for eng, v := range refs {
			if _, failed := row.RefErr[eng]; !failed {
				row.Ref[eng] = median(v)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Column is one timed engine besides ours: a reference engine, or a
// `tflite` CLI binary when Binary is set.
type Column struct {
	Name   string
	Binary string
}

// Columns lists what Run times besides our engine, in table order:
// binaries first, then reference engines (unless SkipReference).
func (c *Config) Columns() []Column {
	var cols []Column
	for _, b := range c.Binaries {
		cols = append(cols, Column{Name: filepath.Base(b), Binary: b})
	}
	if !c.SkipReference {
		for _, e := range c.Engines {
			cols = append(cols, Column{Name: e})
		}
	}
	return cols
}

// median of a non-empty slice (mean of the middle two for even lengths).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
