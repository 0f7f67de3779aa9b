package benchharness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// sharedModel returns a model from shared/models, skipping when absent.
func sharedModel(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "..", "shared", "models", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared model %s not available: %v", name, err)
	}
	return p
}

// fakeNode writes an executable standing in for node: it prints the
// reference runner's JSON with the given median, or fails for engine
// "broken".
func fakeNode(t *testing.T, median string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in")
	}
	dir := t.TempDir()
	script := `#!/bin/sh
for a in "$@"; do
  if [ "$a" = broken ]; then echo "engine broken: no such engine" >&2; exit 3; fi
done
echo "loading..."
echo '{"model":"m.tflite","engine":"litert","threads":1,"runs":3,"median_ms":` + median + `,"min_ms":0.1}'
`
	p := filepath.Join(dir, "node")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseRefOutput(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      float64
		wantErr   string
	}{
		{"last json line", "noise\n{\"median_ms\":1.5}\n", 1.5, ""},
		{"no json", "hello\n", 0, "no JSON result line"},
		{"zero median", "{\"median_ms\":0}", 0, "want > 0"},
		{"bad json", "{\"median_ms\":", 0, "reference output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRefOutput([]byte(tc.out))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRunAlternatesAndTabulates(t *testing.T) {
	model := sharedModel(t, "hello_world_int8.tflite")
	script := filepath.Join(t.TempDir(), "tflite-ref.mjs")
	if err := os.WriteFile(script, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Models: []string{model}, Node: fakeNode(t, "2.5"), RefScript: script,
		Engines: []string{"litert", "broken"}, Runs: 3, Warmup: 1, Rounds: 2, Threads: 1,
	}
	rows, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Model != "hello_world_int8" {
		t.Fatalf("rows = %+v", rows)
	}
	r := rows[0]
	if r.Ours <= 0 || r.Ref["litert"] != 2.5 || r.Ratio("litert") != r.Ours/2.5 {
		t.Fatalf("row = %+v", r)
	}
	if _, ok := r.Ref["broken"]; ok || !strings.Contains(r.RefErr["broken"], "exit status 3") {
		t.Fatalf("broken engine: ref %v err %q", r.Ref, r.RefErr["broken"])
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, rows, cfg.Engines); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"ours/litert", "hello_world_int8", "2.500", "broken ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Models: []string{"x"}, Runs: 0, Rounds: 1, Threads: 1, SkipReference: true},
		{Models: []string{"x"}, Runs: 1, Rounds: 0, Threads: 1, SkipReference: true},
		{Models: []string{"x"}, Runs: 1, Rounds: 1, Threads: 0, SkipReference: true},
		{Models: []string{"x"}, Runs: 1, Rounds: 1, Threads: 1, Engines: []string{"litert"}, RefScript: "/nonexistent.mjs"},
		{Runs: 1, Rounds: 1, Threads: 1, SkipReference: true},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestParseBenchOutput(t *testing.T) {
	got, err := parseBenchOutput("m.tflite: 5 runs after 5 warm-up, 1 thread(s): median 33.942 ms  min 33.773  max 35.845\n")
	if err != nil || got != 33.942 {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "median x ms", "median 0 ms", "mean 3 ms"} {
		if _, err := parseBenchOutput(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRunTimesEngineBinaries(t *testing.T) {
	model := sharedModel(t, "hello_world_int8.tflite")
	bin := filepath.Join(t.TempDir(), "tflite-old")
	script := "#!/bin/sh\n[ \"$1\" = bench ] || exit 2\necho \"$2: 3 runs after 1 warm-up, 1 thread(s): median 4.000 ms  min 3.9  max 4.1  mean 4.0\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Models: []string{model}, Binaries: []string{bin}, SkipReference: true, Runs: 3, Warmup: 1, Rounds: 1, Threads: 1}
	rows, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0].Ref["tflite-old"]; got != 4 {
		t.Fatalf("binary column = %v (errors %v), want 4", got, rows[0].RefErr)
	}
}
