package labels

import (
	"strings"
	"testing"
)

func TestSelectorMatches(t *testing.T) {
	berlinProd := map[string]string{"site": "berlin", "tier": "prod", "camera": "yes"}
	berlinLab := map[string]string{"site": "berlin", "tier": "lab"}
	paris := map[string]string{"site": "paris"}
	for _, tc := range []struct {
		sel  string
		want [3]bool // berlinProd, berlinLab, paris
	}{
		{"", [3]bool{true, true, true}},
		{"site=berlin", [3]bool{true, true, false}},
		{"site==berlin", [3]bool{true, true, false}},
		{"site=berlin,tier!=lab", [3]bool{true, false, false}},
		{"tier!=lab", [3]bool{true, false, true}},
		{"camera", [3]bool{true, false, false}},
		{"!camera", [3]bool{false, true, true}},
		{" site = paris ", [3]bool{false, false, true}},
		{"site=", [3]bool{false, false, false}},
	} {
		sel, err := Parse(tc.sel)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.sel, err)
		}
		for i, set := range []map[string]string{berlinProd, berlinLab, paris} {
			if got := sel.Matches(set); got != tc.want[i] {
				t.Errorf("%q matches %v = %v, want %v", tc.sel, set, got, tc.want[i])
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{",", "site=ber lin", "=x", "!", "a=b,,c", "k=" + strings.Repeat("v", 64), "k$=1"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestValidateAndFormat(t *testing.T) {
	if err := Validate(map[string]string{"site": "berlin", "edgefleet.io/tier": "a_b-1.2", "empty": ""}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []map[string]string{{"": "x"}, {"a b": "x"}, {"k": "a/b"}, {"k": strings.Repeat("v", 64)}} {
		if err := Validate(bad); err == nil {
			t.Errorf("Validate(%v) accepted", bad)
		}
	}
	if got := Format(map[string]string{"b": "2", "a": "1"}); got != "a=1,b=2" {
		t.Fatal(got)
	}
}
