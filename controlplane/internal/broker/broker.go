// Package broker connects the control plane to MQTT: either a broker
// embedded in the process (mochi-mqtt) that authenticates devices against
// the device registry and confines each to its own topics, or an external
// broker (Mosquitto, …) reached as a client. Both sit behind Bus.
package broker

import (
	"context"
)

// Bus is the control plane's own MQTT session.
type Bus interface {
	// Publish sends payload at QoS 1.
	Publish(ctx context.Context, topic string, payload []byte, retain bool) error
	// Subscribe calls fn for every message matching filter.
	Subscribe(filter string, fn func(topic string, payload []byte)) error
	// Ping reports whether the broker is reachable now.
	Ping(ctx context.Context) error
	// Close ends the session (and stops an embedded broker).
	Close() error
	// String names the backend for logs.
	String() string
}

// Authenticator checks a device's MQTT credentials; the device registry
// implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, deviceID, credential string) error
}
