package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/edgefleet/edgefleet/proto/topic"
)

// Embedded is a mochi-mqtt broker inside the control plane. The control
// plane itself uses mochi's inline client, which bypasses the ACL.
type Embedded struct {
	srv    *mqtt.Server
	addr   string
	nextID atomic.Int32
}

// MaxPacketSize bounds one MQTT packet on the embedded broker: the largest
// telemetry batch the ingester accepts (1 MiB) plus headroom.
const MaxPacketSize = 1<<20 + 64<<10

// NewEmbedded starts a broker listening on addr ("127.0.0.1:1883"; port 0
// picks a free one) that admits only devices auth accepts.
func NewEmbedded(addr string, auth Authenticator, log *slog.Logger) (*Embedded, error) {
	if log == nil {
		log = slog.Default()
	}
	// mochi logs every dropped connection (including readiness probes) at
	// WARN; keep only its errors unless debugging.
	mlog := slog.New(minLevel{h: log.Handler(), min: slog.LevelError}).With("component", "mqtt")
	if log.Enabled(context.Background(), slog.LevelDebug) {
		mlog = log.With("component", "mqtt")
	}
	// mochi allocates the length a packet claims before authentication, so
	// an unbounded size would let anyone exhaust memory with five bytes.
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumPacketSize = MaxPacketSize
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: mlog, Capabilities: caps})
	if err := srv.AddHook(&deviceHook{auth: auth, log: log}, nil); err != nil {
		return nil, fmt.Errorf("broker: add auth hook: %w", err)
	}
	l := listeners.NewTCP(listeners.Config{ID: "tcp", Address: addr})
	if err := srv.AddListener(l); err != nil {
		return nil, fmt.Errorf("broker: listen on %s: %w", addr, err)
	}
	if err := srv.Serve(); err != nil {
		return nil, fmt.Errorf("broker: serve: %w", err)
	}
	return &Embedded{srv: srv, addr: l.Address()}, nil
}

// Addr is the address the broker listens on.
func (e *Embedded) Addr() string { return e.addr }

// String names the backend for logs.
func (e *Embedded) String() string { return "embedded MQTT broker on " + e.addr }

// Publish sends through the inline client.
func (e *Embedded) Publish(_ context.Context, t string, payload []byte, retain bool) error {
	if err := e.srv.Publish(t, payload, retain, 1); err != nil {
		return fmt.Errorf("broker: publish %s: %w", t, err)
	}
	return nil
}

// Subscribe registers an inline subscription. A shared-subscription filter
// ($share/GROUP/…) is reduced to its topic filter: only this process reads
// the embedded broker, and mochi's inline clients do not join share groups.
func (e *Embedded) Subscribe(filter string, fn func(string, []byte)) error {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		if _, f, ok := strings.Cut(rest, "/"); ok {
			filter = f
		}
	}
	id := int(e.nextID.Add(1))
	err := e.srv.Subscribe(filter, id, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Payload)
	})
	if err != nil {
		return fmt.Errorf("broker: subscribe %s: %w", filter, err)
	}
	return nil
}

// Ping checks that the listener accepts connections.
func (e *Embedded) Ping(ctx context.Context) error {
	var d net.Dialer
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return fmt.Errorf("broker: %s not accepting connections: %w", e.addr, err)
	}
	return c.Close()
}

// Disconnect ends the live session of a device (client id = device id),
// e.g. after it was revoked; it cannot reconnect, as its credential no
// longer authenticates.
func (e *Embedded) Disconnect(deviceID string) {
	if cl, ok := e.srv.Clients.Get(deviceID); ok && !cl.Net.Inline {
		_ = e.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
	}
}

// Close stops the broker.
func (e *Embedded) Close() error { return e.srv.Close() }

// deviceHook authenticates devices and confines them to their topics.
type deviceHook struct {
	mqtt.HookBase
	auth Authenticator
	log  *slog.Logger
}

// ID names the hook.
func (h *deviceHook) ID() string { return "edgefleet-device-auth" }

// Provides says which hook methods are implemented.
func (h *deviceHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

// OnConnectAuthenticate admits a device whose username is its id and whose
// password is its credential. The client id must be the device id, so one
// device cannot take over another's session, and a will message may only
// name the device's own outbound topics: mochi publishes wills without an
// ACL check.
func (h *deviceHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	id := string(pk.Connect.Username)
	if err := topic.ValidateDeviceID(id); err != nil {
		h.log.Info("mqtt connect refused", "reason", "bad username", "remote", cl.Net.Remote, "err", err)
		return false
	}
	if cl.ID != id {
		h.log.Info("mqtt connect refused", "device", id, "reason", "client id must be the device id", "client_id", cl.ID)
		return false
	}
	if pk.Connect.WillFlag {
		wid, kind, err := topic.Parse(pk.Connect.WillTopic)
		if err != nil || wid != id || !kind.FromDevice() {
			h.log.Info("mqtt connect refused", "device", id, "reason", "will topic outside the device's own topics", "will_topic", pk.Connect.WillTopic)
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.auth.Authenticate(ctx, id, string(pk.Connect.Password)); err != nil {
		h.log.Info("mqtt connect refused", "device", id, "remote", cl.Net.Remote, "err", err)
		return false
	}
	return true
}

// OnACLCheck lets a device publish only its own status, presence and
// telemetry, and subscribe only to its own desired state.
func (h *deviceHook) OnACLCheck(cl *mqtt.Client, filter string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	id, kind, err := topic.Parse(filter)
	if err != nil || id != string(cl.Properties.Username) {
		return false
	}
	if write {
		return kind.FromDevice()
	}
	return kind == topic.Desired
}

// errNotConnected reports a Bus used while disconnected.
var errNotConnected = errors.New("not connected to the MQTT broker")

// minLevel drops records below min.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}
func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler            { return minLevel{m.h.WithAttrs(a), m.min} }
func (m minLevel) WithGroup(n string) slog.Handler                 { return minLevel{m.h.WithGroup(n), m.min} }
