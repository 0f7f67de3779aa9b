package enginecli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// runCLI runs the command line and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// tinyModel writes builder.TinyClassifier to a temp file.
func tinyModel(t *testing.T) string {
	t.Helper()
	buf, err := builder.TinyClassifier(7)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.tflite")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sharedModels returns shared/models next to the folder holding go.work;
// skips when absent, fails when absent in CI.
func sharedModels(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for dir != filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			models := filepath.Join(dir, "..", "shared", "models")
			if st, err := os.Stat(models); err == nil && st.IsDir() {
				return models
			}
			break
		}
		dir = filepath.Dir(dir)
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("shared/models not found next to the repository root")
	}
	t.Skip("shared/models not found next to the repository root")
	return ""
}

func TestInfoJSON(t *testing.T) {
	path := tinyModel(t)
	code, out, errOut := runCLI(t, "info", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var info ModelInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("output is not ModelInfo JSON: %v\n%s", err, out)
	}
	if len(info.Inputs) != 1 || info.Inputs[0].Name != "input" || info.Inputs[0].DType != "int8" ||
		len(info.Inputs[0].Shape) != 2 || info.Inputs[0].Shape[1] != builder.TinyInputs || info.Inputs[0].Bytes != builder.TinyInputs {
		t.Errorf("inputs = %+v", info.Inputs)
	}
	if len(info.Outputs) != 1 || info.Outputs[0].Name != "probabilities" || info.Outputs[0].Scale != 1.0/256 || info.Outputs[0].ZeroPoint != -128 {
		t.Errorf("outputs = %+v", info.Outputs)
	}
	if info.NumOps != 2 || len(info.Ops) != 2 || info.Ops[0].Count != 1 {
		t.Errorf("ops = %d %+v", info.NumOps, info.Ops)
	}
	if info.ArenaBytes <= 0 || len(info.SHA256) != 64 {
		t.Errorf("arena %d sha256 %q", info.ArenaBytes, info.SHA256)
	}
	// The raw JSON keys are part of the interface scripts use.
	for _, key := range []string{`"inputs"`, `"outputs"`, `"ops"`, `"arena_bytes"`, `"dtype"`, `"shape"`, `"zero_point"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks key %s", key)
		}
	}
}

func TestInfoText(t *testing.T) {
	code, out, _ := runCLI(t, "info", tinyModel(t))
	if code != 0 || !strings.Contains(out, "FULLY_CONNECTED") || !strings.Contains(out, "arena:") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestRunOutDir(t *testing.T) {
	path := tinyModel(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, []byte{1, 2, 3, 4, 0xff, 0xfe, 0x80, 0x7f}, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "run", path, "--input", in, "--out-dir", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out", "out0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != builder.TinyClasses {
		t.Fatalf("out0.bin has %d bytes, want %d", len(got), builder.TinyClasses)
	}
	// Softmax probabilities (scale 1/256, zero point -128) sum to about 1.
	sum := 0.0
	for _, b := range got {
		sum += float64(int(int8(b))+128) / 256
	}
	if math.Abs(sum-1) > 0.02 {
		t.Errorf("probabilities %v sum to %g, want about 1", got, sum)
	}
	code, out, _ := runCLI(t, "run", path, "--input", in)
	if code != 0 || !strings.Contains(out, `output 0 "probabilities" int8 [1 4]: min`) {
		t.Errorf("summary: exit %d\n%s", code, out)
	}
}

func TestRunErrors(t *testing.T) {
	path := tinyModel(t)
	short := filepath.Join(t.TempDir(), "short.bin")
	_ = os.WriteFile(short, []byte{1, 2}, 0o644)
	tests := []struct {
		name    string
		args    []string
		mention string
	}{
		{"missing input", []string{"run", path}, "has 1 inputs, got 0"},
		{"short input", []string{"run", path, "--input", short}, "got 2 bytes, want 8"},
		{"no such model", []string{"info", filepath.Join(t.TempDir(), "nope.tflite")}, "no such file"},
		{"not a model", []string{"info", short}, "invalid model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.mention) {
				t.Errorf("exit %d, stderr %q, want an error mentioning %q", code, errOut, tt.mention)
			}
		})
	}
}

func TestBench(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", tinyModel(t), "-n", "5", "--warmup", "1")
	if code != 0 || !strings.Contains(out, "5 runs after 1 warm-up") || !strings.Contains(out, "median") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
}

func TestBenchProfile(t *testing.T) {
	code, out, errOut := runCLI(t, "bench", tinyModel(t), "-n", "3", "--profile", "--top", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"op type", "FULLY_CONNECTED", "total", "op index"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := runCLI(t, "bench", tinyModel(t), "--top", "-1"); code == 0 || !strings.Contains(errOut, "--top -1") {
		t.Errorf("--top -1: exit %d, stderr %q, want an error naming the flag", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "edgefleet ") {
		t.Fatalf("exit %d: %q", code, out)
	}
}

// TestCheckShared runs check on a shared golden set, then on a copy with
// one golden byte changed, which must fail with exit code 1.
func TestCheckShared(t *testing.T) {
	models := sharedModels(t)
	golden := filepath.Join(models, "golden", "kws_ref_model")
	model := filepath.Join(models, "kws_ref_model.tflite")
	code, out, errOut := runCLI(t, "check", "--model", model, golden)
	if code != 0 || !strings.HasSuffix(out, "PASS 5/5\n") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// Default model lookup: two folders above the golden set.
	if code, out, _ := runCLI(t, "check", golden); code != 0 || !strings.HasSuffix(out, "PASS 5/5\n") {
		t.Fatalf("without --model: exit %d\n%s", code, out)
	}

	bad := t.TempDir()
	entries, err := os.ReadDir(golden)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(golden, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "002_out0.bin" {
			data[3] ^= 0x10
		}
		if err := os.WriteFile(filepath.Join(bad, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = runCLI(t, "check", "--model", model, bad)
	if code != 1 || !strings.Contains(out, "002 FAIL output 0 (Identity): 1/12 elements differ, max |diff| 16") || !strings.HasSuffix(out, "FAIL 1/5\n") {
		t.Fatalf("corrupted golden: exit %d\n%s", code, out)
	}
}

func TestCompareOutput(t *testing.T) {
	f32 := func(v ...float32) []byte {
		var b []byte
		for _, x := range v {
			u := math.Float32bits(x)
			b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
		}
		return b
	}
	tests := []struct {
		name    string
		dtype   string
		got     []byte
		want    []byte
		bad     int
		maxAbs  float64
		wantErr bool
	}{
		{"int8 equal", "int8", []byte{1, 0xff}, []byte{1, 0xff}, 0, 0, false},
		{"int8 signed diff", "int8", []byte{0x7f, 0xff}, []byte{0x80, 0xff}, 1, 255, false},
		{"uint8 diff", "uint8", []byte{10, 20}, []byte{12, 20}, 1, 2, false},
		{"float within 1e-4", "float32", f32(1000, 0.5), f32(1000.05, 0.50005), 0, 0.05, false},
		{"float beyond 1e-4", "float32", f32(1000, 0.5), f32(1000.2, 0.5002), 2, 0.2, false},
		{"float NaN both", "float32", f32(float32(math.NaN())), f32(float32(math.NaN())), 0, 0, false},
		{"length mismatch", "int8", []byte{1}, []byte{1, 2}, 0, 0, true},
		{"unknown dtype", "complex64", []byte{1}, []byte{1}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compareOutput(tt.dtype, tt.got, tt.want)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if d.bad != tt.bad || math.Abs(d.maxAbs-tt.maxAbs) > 1e-3 {
				t.Errorf("bad %d maxAbs %g, want %d %g", d.bad, d.maxAbs, tt.bad, tt.maxAbs)
			}
		})
	}
}
