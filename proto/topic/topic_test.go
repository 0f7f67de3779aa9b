package topic

import (
	"errors"
	"strings"
	"testing"
)

func TestDeviceAndParseRoundTrip(t *testing.T) {
	for _, id := range []string{"a", "dev-1", "berlin.cam_07", strings.Repeat("x", MaxDeviceIDLen)} {
		for _, k := range Kinds() {
			tp, err := Device(id, k)
			if err != nil {
				t.Fatalf("Device(%q,%q): %v", id, k, err)
			}
			gotID, gotK, err := Parse(tp)
			if err != nil || gotID != id || gotK != k {
				t.Fatalf("Parse(%q) = %q,%q,%v", tp, gotID, gotK, err)
			}
		}
	}
	if got, _ := Device("d1", Status); got != "edgefleet/v1/devices/d1/status" {
		t.Fatalf("layout changed: %q", got)
	}
}

func TestInvalid(t *testing.T) {
	ids := []string{"", "a/b", "+", "#", "$SYS", ".x", "-x", "a b", strings.Repeat("x", MaxDeviceIDLen+1)}
	for _, id := range ids {
		if _, err := Device(id, Status); !errors.Is(err, ErrInvalid) {
			t.Errorf("Device(%q): err %v, want ErrInvalid", id, err)
		}
	}
	if _, err := Device("d", Kind("bogus")); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad kind accepted")
	}
	topics := []string{
		"", "edgefleet/v1/devices", "edgefleet/v1/devices/d", "edgefleet/v1/devices/d/status/x",
		"edgefleet/v2/devices/d/status", "edgefleet/v1/devices/+/status", "edgefleet/v1/devices/d/bogus",
		"edgefleet/v1/devices//status",
	}
	for _, tp := range topics {
		if _, _, err := Parse(tp); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q): err %v, want ErrInvalid", tp, err)
		}
	}
}

func TestFilters(t *testing.T) {
	if got := Filter(Telemetry); got != "edgefleet/v1/devices/+/telemetry" {
		t.Fatal(got)
	}
	if got := SharedFilter("cp", Status); got != "$share/cp/edgefleet/v1/devices/+/status" {
		t.Fatal(got)
	}
	if Desired.FromDevice() || !Status.FromDevice() {
		t.Fatal("FromDevice wrong")
	}
}
