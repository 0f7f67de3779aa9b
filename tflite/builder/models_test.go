package builder_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

var update = flag.Bool("update", false, "rewrite testdata/readymade.sha256")

// readyMade lists the ready-made models by name.
var readyMade = []struct {
	name  string
	build func(uint64) ([]byte, error)
}{
	{"tiny_int8", builder.TinyClassifier},
	{"tiny_float", builder.TinyClassifierFloat},
	{"tiny_uint8", builder.TinyClassifierUint8},
	{"conv_net_int8", builder.SmallConvNet},
}

// TestReadyMadeModelsAreStable pins the bytes of every ready-made model so
// that a change to the builder or the weights is noticed (and the
// reference outputs in tflite/testdata/generated regenerated with it).
func TestReadyMadeModelsAreStable(t *testing.T) {
	var sums strings.Builder
	for _, m := range readyMade {
		for seed := uint64(1); seed <= 3; seed++ {
			a, err := m.build(seed)
			if err != nil {
				t.Fatalf("%s seed %d: %v", m.name, seed, err)
			}
			b, err := m.build(seed)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s seed %d: two builds differ", m.name, seed)
			}
			sum := sha256.Sum256(a)
			fmt.Fprintf(&sums, "%s %s/seed%d\n", hex.EncodeToString(sum[:]), m.name, seed)
		}
	}
	const golden = "testdata/readymade.sha256"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(sums.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if sums.String() != string(want) {
		t.Errorf("ready-made models changed; if intended, run go test ./tflite/builder -update and regenerate tflite/testdata/generated\n got:\n%s want:\n%s", sums.String(), want)
	}
}

func TestFloat16Bits(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},                 // largest half
		{65520, 0x7c00},                 // rounds up to +Inf
		{1e6, 0x7c00},                   // overflow
		{float32(math.Inf(-1)), 0xfc00}, // -Inf
		{6.103515625e-05, 0x0400},       // smallest normal
		{5.9604645e-08, 0x0001},         // smallest subnormal
		{2.9802322e-08, 0x0000},         // half of it: ties to even (0)
		{1 + 1.0/1024, 0x3c01},          // exact
		{1 + 1.0/2048, 0x3c00},          // tie → even
		{1 + 3.0/2048, 0x3c02},          // tie → even (up)
		{0.1, 0x2e66},                   // rounded
		{-0.1, 0xae66},
	}
	for _, tt := range tests {
		if got := builder.Float16Bits(tt.in); got != tt.want {
			t.Errorf("Float16Bits(%g) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
	if got := builder.Float16Bits(float32(math.NaN())); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
		t.Errorf("Float16Bits(NaN) = %#04x, not a NaN", got)
	}
}

func TestQuantize(t *testing.T) {
	got := builder.QuantizeInt8([]float32{0, 0.25, -0.25, 0.75, 100, -100, 0.1}, 0.5, -3)
	want := []int8{-3, -2, -4, -1, 127, -128, -3} // halves round away from zero
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("QuantizeInt8[%d] = %d, want %d", i, got[i], want[i])
		}
	}
	gotU := builder.QuantizeUint8([]float32{0, -1, 1, 1000}, 0.1, 128)
	wantU := []uint8{128, 118, 138, 255}
	for i := range wantU {
		if gotU[i] != wantU[i] {
			t.Errorf("QuantizeUint8[%d] = %d, want %d", i, gotU[i], wantU[i])
		}
	}
	if s := builder.SymmetricScale([]float32{0.5, -1.27, 1}); math.Abs(float64(s)-0.01) > 1e-9 {
		t.Errorf("SymmetricScale = %g, want 0.01", s)
	}
	if s := builder.SymmetricScale(nil); s != 1 {
		t.Errorf("SymmetricScale(nil) = %g, want 1", s)
	}
	if q := builder.QuantizeInt32([]float32{1.5, -2.5e9}, 0.5); q[0] != 3 || q[1] != math.MinInt32 {
		t.Errorf("QuantizeInt32 = %v", q)
	}
}

func TestRandIsSplitMix64(t *testing.T) {
	// First outputs of splitmix64 seeded with 0 (Vigna's reference).
	r := builder.NewRand(0)
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := r.Uint64(); got != w {
			t.Errorf("output %d = %#x, want %#x", i, got, w)
		}
	}
	for _, v := range builder.NewRand(5).Float32s(1000, -2, 3) {
		if v < -2 || v >= 3 {
			t.Fatalf("Float32 out of range: %g", v)
		}
	}
}
