package kernel

import (
	"os"
	"testing"
)

// dot4ExpectEnv states whether the CPU has VPDPBUSD in either encoding
// (see TestDot4Selected): 1 in the Bochs runs of `make vnni-check`.
const dot4ExpectEnv = "EDGEFLEET_TFLITE_EXPECT_VNNI"

// vnniFormEnv states which VPDPBUSD encoding the dot4 kernels must use:
// evex (AVX512-VNNI, Bochs' tigerlake) or vex (AVX-VNNI, arrow_lake).
const vnniFormEnv = "EDGEFLEET_TFLITE_EXPECT_VNNI_FORM"

// TestVNNIForm checks that the kernels run in the encoding vnniFormEnv
// names, so that a run meant for one encoding cannot silently test the
// other (or none).
func TestVNNIForm(t *testing.T) {
	want := os.Getenv(vnniFormEnv)
	got := "none"
	switch {
	case vnniEVEX():
		got = "evex"
	case dot4CPU():
		got = "vex"
	}
	switch want {
	case "":
		t.Logf("VPDPBUSD encoding: %s", got)
	case "evex", "vex", "none":
		if got != want {
			t.Fatalf("VPDPBUSD encoding %s, %s=%s", got, vnniFormEnv, want)
		}
	default:
		t.Fatalf("%s=%q, want evex, vex or none", vnniFormEnv, want)
	}
}
