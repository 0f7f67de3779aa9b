package credential

import (
	"strings"
	"testing"
)

func TestNewHashMatch(t *testing.T) {
	a, b := New("edc_"), New("edc_")
	if a == b || !strings.HasPrefix(a, "edc_") || len(a) != 4+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	h := Hash(a)
	if !Match(a, h) || Match(b, h) || Match("", h) || Match(a, "") {
		t.Fatal("Match wrong")
	}
	if len(RandomID(6)) != 12 {
		t.Fatal("RandomID length")
	}
}
