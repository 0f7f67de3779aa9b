// Package topic builds and parses the MQTT topics edgefleet devices and the
// control plane exchange. Every topic lives under one versioned root:
//
//	edgefleet/v1/devices/<id>/desired    cloud → device, retained
//	edgefleet/v1/devices/<id>/status     device → cloud, retained
//	edgefleet/v1/devices/<id>/presence   device → cloud, retained (LWT)
//	edgefleet/v1/devices/<id>/telemetry  device → cloud
package topic

import (
	"errors"
	"fmt"
	"strings"
)

// Root is the prefix of every device topic.
const Root = "edgefleet/v1/devices"

// Kind names the last level of a device topic.
type Kind string

// The four kinds of device topic.
const (
	Desired   Kind = "desired"
	Status    Kind = "status"
	Presence  Kind = "presence"
	Telemetry Kind = "telemetry"
)

// Kinds lists every kind in a stable order.
func Kinds() []Kind { return []Kind{Desired, Status, Presence, Telemetry} }

// MaxDeviceIDLen bounds a device id so topics stay short.
const MaxDeviceIDLen = 128

// ErrInvalid marks a topic or device id that does not follow the layout.
var ErrInvalid = errors.New("invalid topic")

// Valid reports whether k is one of the four kinds.
func (k Kind) Valid() bool {
	switch k {
	case Desired, Status, Presence, Telemetry:
		return true
	}
	return false
}

// FromDevice reports whether devices publish on topics of this kind (all
// but desired, which the control plane publishes).
func (k Kind) FromDevice() bool { return k.Valid() && k != Desired }

// ValidateDeviceID checks that id can stand as one topic level: 1 to
// MaxDeviceIDLen characters from [A-Za-z0-9._-], not starting with a dot or
// dash. Wildcards, slashes and '$' are excluded because they would let one
// device address another's topics.
func ValidateDeviceID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: device id is empty", ErrInvalid)
	}
	if len(id) > MaxDeviceIDLen {
		return fmt.Errorf("%w: device id is %d bytes, limit %d", ErrInvalid, len(id), MaxDeviceIDLen)
	}
	if id[0] == '.' || id[0] == '-' {
		return fmt.Errorf("%w: device id %q starts with %q", ErrInvalid, id, id[0])
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("%w: device id %q has character %q at %d (allowed: A-Z a-z 0-9 . _ -)", ErrInvalid, id, c, i)
		}
	}
	return nil
}

// Device returns the topic of kind k for device id.
func Device(id string, k Kind) (string, error) {
	if err := ValidateDeviceID(id); err != nil {
		return "", err
	}
	if !k.Valid() {
		return "", fmt.Errorf("%w: unknown kind %q", ErrInvalid, k)
	}
	return Root + "/" + id + "/" + string(k), nil
}

// Filter returns the subscription filter matching kind k for every device,
// e.g. "edgefleet/v1/devices/+/status".
func Filter(k Kind) string { return Root + "/+/" + string(k) }

// SharedFilter returns Filter(k) as an MQTT 5 shared subscription in group,
// so several control-plane replicas split the messages between them.
func SharedFilter(group string, k Kind) string { return "$share/" + group + "/" + Filter(k) }

// Parse splits a device topic into its device id and kind.
func Parse(t string) (id string, k Kind, err error) {
	rest, ok := strings.CutPrefix(t, Root+"/")
	if !ok {
		return "", "", fmt.Errorf("%w: %q is not under %s/", ErrInvalid, t, Root)
	}
	id, kind, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(kind, "/") {
		return "", "", fmt.Errorf("%w: %q: want %s/<id>/<kind>", ErrInvalid, t, Root)
	}
	if err := ValidateDeviceID(id); err != nil {
		return "", "", fmt.Errorf("topic %q: %w", t, err)
	}
	if !Kind(kind).Valid() {
		return "", "", fmt.Errorf("%w: %q: unknown kind %q", ErrInvalid, t, kind)
	}
	return id, Kind(kind), nil
}
