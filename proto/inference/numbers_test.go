package inference

import (
	"slices"
	"strings"
	"testing"
)

func TestParseArray(t *testing.T) {
	tests := []struct {
		in        string
		want      []float64
		wantShape []int
		wantErr   string
	}{
		{in: `1.5`, want: []float64{1.5}, wantShape: []int{}},
		{in: ` [1, -2, 3e2] `, want: []float64{1, -2, 300}, wantShape: []int{3}},
		{in: `[[1,2],[3,4],[5,6]]`, want: []float64{1, 2, 3, 4, 5, 6}, wantShape: []int{3, 2}},
		{in: `[[[0.25]]]`, want: []float64{0.25}, wantShape: []int{1, 1, 1}},
		{in: `[true,false]`, want: []float64{1, 0}, wantShape: []int{2}},
		{in: `[]`, want: nil, wantShape: []int{0}},
		{in: `[[1,2],[3]]`, wantErr: "ragged"},
		{in: `[[1,2],3]`, wantErr: "ragged"},
		{in: `[1,[2,3]]`, wantErr: "ragged"},
		{in: `[1,2`, wantErr: "end of data"},
		{in: `[1 2]`, wantErr: "inside an array"},
		{in: `[NaN]`, wantErr: "expected a number"},
		{in: `[Inf]`, wantErr: "expected a number"},
		{in: `[0x1p4]`, wantErr: "expected a number"},
		{in: `[+1]`, wantErr: "expected a number"},
		{in: `["1"]`, wantErr: "expected a number"},
		{in: `[1] x`, wantErr: "after the value"},
		{in: ``, wantErr: "end of data"},
		{in: strings.Repeat("[", 40) + "1" + strings.Repeat("]", 40), wantErr: "nested deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, shape, err := ParseArray([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) || !slices.Equal(shape, tc.wantShape) {
				t.Fatalf("got %v shape %v, want %v shape %v", got, shape, tc.want, tc.wantShape)
			}
		})
	}
}

func FuzzParseArray(f *testing.F) {
	for _, s := range []string{`[1,2]`, `[[1],[2]]`, `3`, `[[`, `[1e400]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, shape, err := ParseArray(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n != len(vals) {
			t.Fatalf("shape %v holds %d values, parsed %d", shape, n, len(vals))
		}
	})
}

// TestArrayParserReuse parses different arrays with one parser: results
// must not carry over, and the kept buffers show in Footprint.
func TestArrayParserReuse(t *testing.T) {
	var p ArrayParser
	big := "[" + strings.Repeat("1,", 999) + "1]"
	for _, tc := range []struct {
		in        string
		n         int
		wantShape []int
	}{
		{big, 1000, []int{1000}},
		{`[[1,2],[3,4]]`, 4, []int{2, 2}},
		{`7`, 1, nil},
		{`[]`, 0, []int{0}},
		{`[[5]]`, 1, []int{1, 1}},
	} {
		got, shape, err := p.Parse([]byte(tc.in))
		want, wantShape, wantErr := ParseArray([]byte(tc.in))
		if err != nil || wantErr != nil {
			t.Fatalf("%s: %v / %v", tc.in, err, wantErr)
		}
		if len(got) != tc.n || !slices.Equal(got, want) || !slices.Equal(shape, wantShape) || !slices.Equal(shape, tc.wantShape) {
			t.Fatalf("%.20s: got %d values shape %v, ParseArray %d values shape %v", tc.in, len(got), shape, len(want), wantShape)
		}
	}
	if f := p.Footprint(); f < 1000*8 {
		t.Fatalf("footprint %d after a 1000-value array", f)
	}
	if _, _, err := p.Parse([]byte(`[1,`)); err == nil {
		t.Fatal("truncated array parsed")
	}
}
