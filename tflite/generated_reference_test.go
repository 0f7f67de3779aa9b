package tflite_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Quantized arithmetic (requantization, fixed-point softmax, rounding of
// averages) is defined by TFLite's kernels, so the expected outputs of the
// quantized generated graphs are TFLite 2.2's own, recorded in
// testdata/generated/reference.json together with the model hash and the
// inputs. Regenerate after changing a case:
//
//	cd shared/reference && npm ci
//	EDGEFLEET_TFLITE_REF=$PWD/tflite-ref.mjs go test ./tflite -run Generated -update-generated
//
// The same variable also makes TestGeneratedFloatMatchesTFLite check the
// float expectations of generated_float_test.go against TFLite 2.2.

var updateGenerated = flag.Bool("update-generated", false,
	"rewrite testdata/generated/reference.json from TFLite 2.2 (needs node and EDGEFLEET_TFLITE_REF=path/to/tflite-ref.mjs)")

const referenceFile = "testdata/generated/reference.json"

// refRecord is one case of reference.json; byte strings are hex.
type refRecord struct {
	ModelSHA256 string   `json:"model_sha256"`
	Inputs      []string `json:"inputs"`
	Outputs     []string `json:"outputs"`
}

func readReference(t *testing.T) map[string]refRecord {
	t.Helper()
	recs := map[string]refRecord{}
	data, err := os.ReadFile(referenceFile)
	if errors.Is(err, fs.ErrNotExist) {
		return recs
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatalf("%s: %v", referenceFile, err)
	}
	return recs
}

func writeReference(t *testing.T, recs map[string]refRecord) {
	t.Helper()
	data, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(referenceFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(referenceFile, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// referenceRunner returns the path of tflite-ref.mjs, or "" when unset.
func referenceRunner() string { return os.Getenv("EDGEFLEET_TFLITE_REF") }

// runTFLite runs buf on TFLite 2.2 through the node reference runner and
// returns the raw outputs.
func runTFLite(t *testing.T, runner string, buf []byte, inputs [][]byte) [][]byte {
	t.Helper()
	dir := t.TempDir()
	model := filepath.Join(dir, "model.tflite")
	if err := os.WriteFile(model, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{runner, model, "--engine", "tflite", "--out", filepath.Join(dir, "out.json"), "--out-bin", filepath.Join(dir, "out")}
	for i, in := range inputs {
		name := filepath.Join(dir, "in"+strconv.Itoa(i)+".bin")
		if err := os.WriteFile(name, in, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--input", name)
	}
	cmd := exec.Command("node", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("TFLite reference runner: %v\n%s", err, out)
	}
	var outs [][]byte
	for i := 0; ; i++ {
		data, err := os.ReadFile(filepath.Join(dir, "out", fmt.Sprintf("output_%d.bin", i)))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, data)
	}
	return outs
}

func hexAll(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = hex.EncodeToString(b)
	}
	return out
}

func modelHash(buf []byte) string {
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// tf22Divergent lists cases where TFLite 2.2 itself departs from TFLite's
// reference integer kernels (tflite-micro), which this engine follows as
// shared/spec/INT8.md prescribes: there the engine may differ from the
// stored TF 2.2 output by at most one quantization step.
var tf22Divergent = map[string]string{
	"int8/mean/requant": "TF 2.2's int8 MEAN multiplier path rounds the sum differently from tflite-micro's reference MEAN, which the mobilenet_v2 golden (from tflite-micro) requires",
}

func TestGeneratedReference(t *testing.T) {
	cases := referenceCases()
	recs := readReference(t)
	runner := referenceRunner()
	if *updateGenerated {
		if runner == "" {
			t.Fatal("-update-generated needs EDGEFLEET_TFLITE_REF=path/to/tflite-ref.mjs (run npm ci beside it first)")
		}
		fresh := map[string]refRecord{}
		for _, c := range cases {
			buf, err := c.model()
			if err != nil {
				t.Fatalf("%s: building model: %v", c.name, err)
			}
			ins := c.inputs()
			t.Logf("running %s on TFLite", c.name)
			fresh[c.name] = refRecord{ModelSHA256: modelHash(buf), Inputs: hexAll(ins), Outputs: hexAll(runTFLite(t, runner, buf, ins))}
		}
		writeReference(t, fresh)
		recs = fresh
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buf, err := c.model()
			if err != nil {
				t.Fatalf("building model: %v", err)
			}
			rec, ok := recs[c.name]
			switch {
			case !ok:
				t.Fatalf("no reference outputs in %s; regenerate with -update-generated", referenceFile)
			case rec.ModelSHA256 != modelHash(buf):
				t.Fatalf("model changed since %s was written; regenerate with -update-generated", referenceFile)
			}
			ins := c.inputs()
			if got := hexAll(ins); fmt.Sprint(got) != fmt.Sprint(rec.Inputs) {
				t.Fatalf("inputs changed since %s was written; regenerate with -update-generated", referenceFile)
			}
			outs := run(t, buf, ins...)
			if len(outs) != len(rec.Outputs) {
				t.Fatalf("%d outputs, reference has %d", len(outs), len(rec.Outputs))
			}
			for i, o := range outs {
				want, err := hex.DecodeString(rec.Outputs[i])
				if err != nil {
					t.Fatalf("%s: output %d: %v", referenceFile, i, err)
				}
				if c.exact {
					if n, first := diffBytes(o, want); n > 0 {
						k := first / 4
						t.Fatalf("output %d: %d of %d bytes differ from TFLite 2.2, first at element %d: got %v, want %v", i, n, len(want), k, bytesFloat32(o)[k], bytesFloat32(want)[k])
					}
					continue
				}
				if c.float {
					if k, ok := closeFloats(bytesFloat32(o), bytesFloat32(want)); !ok {
						t.Fatalf("output %d differs from TFLite at element %d:\n got  %v\n want %v", i, k, bytesFloat32(o), bytesFloat32(want))
					}
					continue
				}
				if why, ok := tf22Divergent[c.name]; ok {
					if d := maxStep(o, want); d > 1 {
						t.Errorf("output %d: differs from TFLite 2.2 by %d steps; a known divergence allows 1 (%s)", i, d, why)
					}
					continue
				}
				if n, first := diffBytes(o, want); n > 0 {
					t.Errorf("output %d: %d of %d bytes differ from TFLite 2.2 (first at %d: got %d, want %d)\n got  %v\n want %v",
						i, n, len(want), first, int8(o[first]), int8(want[first]), o, want)
				}
			}
		})
	}
}

// maxStep returns the largest difference between two int8 tensors, or 256
// when their lengths differ.
func maxStep(got, want []byte) int {
	if len(got) != len(want) {
		return 256
	}
	m := 0
	for i := range got {
		m = max(m, abs(int(int8(got[i]))-int(int8(want[i]))))
	}
	return m
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// diffBytes counts differing bytes (a length mismatch counts as all) and
// returns the first differing position.
func diffBytes(got, want []byte) (n, first int) {
	if len(got) != len(want) {
		return max(len(got), len(want)), 0
	}
	first = -1
	for i := range got {
		if got[i] != want[i] {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	return n, first
}

// notOnTF22 lists float cases TFLite 2.2 cannot run although newer TFLite
// and this engine do, with the reason.
var notOnTF22 = map[string]string{
	"conv2d/valid_dilation2_relu6": "TF 2.2 CONV_2D requires a bias input",
	"depthwise/valid_stride2_relu": "TF 2.2 DEPTHWISE_CONV_2D crashes without a bias input",
	"squeeze/all":                  "TF 2.2 SQUEEZE requires squeeze_dims",
	"resize_nearest/align_corners": "TF 2.2 RESIZE_NEAREST_NEIGHBOR ignores align_corners",
}

// TestGeneratedFloatMatchesTFLite checks the independent float expectations
// against TFLite 2.2 itself; it runs only when EDGEFLEET_TFLITE_REF is set.
func TestGeneratedFloatMatchesTFLite(t *testing.T) {
	runner := referenceRunner()
	if runner == "" {
		t.Skip("EDGEFLEET_TFLITE_REF not set; float expectations are not cross-checked against TFLite")
	}
	for _, c := range floatCases() {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := notOnTF22[c.name]; ok {
				t.Skip(why)
			}
			buf, err := c.model()
			if err != nil {
				t.Fatal(err)
			}
			ins := make([][]byte, len(c.inputs))
			for i, v := range c.inputs {
				ins[i] = float32Bytes(v)
			}
			outs := runTFLite(t, runner, buf, ins)
			for i, want := range c.want {
				if k, ok := closeFloats(bytesFloat32(outs[i]), want); !ok {
					t.Errorf("output %d element %d: TFLite %v, test expects %v", i, k, bytesFloat32(outs[i]), want)
				}
			}
		})
	}
}
