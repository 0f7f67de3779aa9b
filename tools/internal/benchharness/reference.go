package benchharness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// refResult is the JSON line tflite-ref.mjs --bench prints.
type refResult struct {
	Model    string  `json:"model"`
	Engine   string  `json:"engine"`
	Threads  int     `json:"threads"`
	Runs     int     `json:"runs"`
	MedianMS float64 `json:"median_ms"`
}

// benchReference runs `node tflite-ref.mjs MODEL --bench N --engine E
// --threads T --warmup W` and returns its median in ms.
func benchReference(ctx context.Context, node, script, model, engine string, runs, warmup, threads int) (float64, error) {
	cmd := exec.CommandContext(ctx, node, script, model,
		"--bench", strconv.Itoa(runs), "--engine", engine,
		"--threads", strconv.Itoa(threads), "--warmup", strconv.Itoa(warmup))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s --engine %s: %w: %s", node, script, engine, err, lastLine(stderr.String()))
	}
	return parseRefOutput(stdout.Bytes())
}

// benchBinary runs `BIN bench MODEL -n N --warmup W --threads T` (the
// engine CLI) and returns the median it prints in ms.
func benchBinary(ctx context.Context, bin, model string, runs, warmup, threads int) (float64, error) {
	cmd := exec.CommandContext(ctx, bin, "bench", model, "-n", strconv.Itoa(runs),
		"--warmup", strconv.Itoa(warmup), "--threads", strconv.Itoa(threads))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s bench: %w: %s", bin, err, lastLine(stderr.String()))
	}
	return parseBenchOutput(stdout.String())
}

// parseBenchOutput reads "median X ms" from `tflite bench` output.
func parseBenchOutput(out string) (float64, error) {
	f := strings.Fields(out)
	for i := 0; i+2 < len(f); i++ {
		if f[i] == "median" && f[i+2] == "ms" {
			v, err := strconv.ParseFloat(f[i+1], 64)
			if err != nil || !(v > 0) {
				return 0, fmt.Errorf("bench output median %q: want a number > 0", f[i+1])
			}
			return v, nil
		}
	}
	return 0, fmt.Errorf("bench output has no \"median X ms\": %q", lastLine(out))
}

// parseRefOutput finds the last JSON object line with a median.
func parseRefOutput(out []byte) (float64, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r refResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return 0, fmt.Errorf("reference output %q: %w", line, err)
		}
		if !(r.MedianMS > 0) {
			return 0, fmt.Errorf("reference output %q: median_ms %v, want > 0", line, r.MedianMS)
		}
		return r.MedianMS, nil
	}
	return 0, fmt.Errorf("reference output has no JSON result line: %q", lastLine(string(out)))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
