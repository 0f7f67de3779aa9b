// Package uplink is the agent's MQTT link to the control plane: it keeps a
// persistent session (client id = device id, clean session off, QoS 1),
// announces presence with a last will, turns each telemetry window into a
// spooled batch and drains the spool oldest first, deleting a batch only
// after the broker's PUBACK.
//
// Reconnects use exponential backoff with jitter so a fleet that loses its
// broker does not reconnect in lockstep, and the spool drains at a bounded
// rate so a device returning from days offline does not flood the broker.
package uplink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	mqtt "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/edgefleet/edgefleet/agent/internal/spool"
	"github.com/edgefleet/edgefleet/agent/internal/telemetry"
	devicev1 "github.com/edgefleet/edgefleet/proto/device/v1"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
	"github.com/edgefleet/edgefleet/proto/topic"
)

// SessionKey is the state key of the persistent MQTT session counter.
const SessionKey = "mqtt_session"

// Config configures the link.
type Config struct {
	// Brokers are tried in order: tcp://host:1883, ssl://host:8883, ws://…
	Brokers  []string
	DeviceID string
	// Username defaults to DeviceID; Password is the device credential.
	Username, Password string
	// TLS is used for ssl:// brokers (see TLSConfig).
	TLS TLSFiles
	// Interval is the telemetry window (default 60 s).
	Interval time.Duration
	// PublishRate bounds spool draining in batches per second (default 20).
	PublishRate float64
	// Encoding of telemetry payloads (default protobuf).
	Encoding     telemetryv1.Encoding
	AgentVersion string
	// InstanceID identifies the data directory (store.Identity); the
	// control plane restarts its sequence tracking when it changes.
	InstanceID string
	// AckTimeout bounds the wait for a PUBACK (default 10 s).
	AckTimeout time.Duration
	// MaxBackoff caps the reconnect delay (default 60 s).
	MaxBackoff time.Duration
	// Status, when set, builds the device status published (retained) on
	// every connect and after NotifyStatus.
	Status func() *devicev1.Status
}

func (c *Config) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = 60 * time.Second
	}
	if c.PublishRate <= 0 {
		c.PublishRate = 20
	}
	if c.Encoding == "" {
		c.Encoding = telemetryv1.EncodingProtobuf
	}
	if c.Username == "" {
		c.Username = c.DeviceID
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 10 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 60 * time.Second
	}
}

// Sequencer persists counters; the agent's store implements it.
type Sequencer interface {
	NextSequence(key string) (uint64, error)
}

// DesiredHandler receives the retained desired-state payloads.
type DesiredHandler func(payload []byte)

// Uplink owns the MQTT connection. Create it with New and call Run.
type Uplink struct {
	cfg      Config
	seq      Sequencer
	spool    *spool.Spool
	rec      *telemetry.Recorder
	health   telemetry.HealthSource
	log      *slog.Logger
	bootID   string
	onDesire DesiredHandler

	appended chan struct{} // signalled after every spooled batch
	statusCh chan struct{} // signalled by NotifyStatus

	mu          sync.Mutex
	windowStart time.Time
	connected   bool
}

// New validates cfg and returns an Uplink. onDesired may be nil.
func New(cfg Config, seq Sequencer, sp *spool.Spool, rec *telemetry.Recorder, health telemetry.HealthSource, onDesired DesiredHandler, log *slog.Logger) (*Uplink, error) {
	cfg.setDefaults()
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("uplink: no broker URL configured (mqtt.url)")
	}
	if err := topic.ValidateDeviceID(cfg.DeviceID); err != nil {
		return nil, fmt.Errorf("uplink: device id: %w", err)
	}
	if _, err := telemetryv1.ParseEncoding(string(cfg.Encoding)); err != nil {
		return nil, fmt.Errorf("uplink: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Uplink{
		cfg: cfg, seq: seq, spool: sp, rec: rec, health: health, log: log,
		bootID: hex.EncodeToString(b[:]), onDesire: onDesired,
		appended:    make(chan struct{}, 1),
		statusCh:    make(chan struct{}, 1),
		windowStart: time.Now(),
	}, nil
}

// NotifyStatus asks for the device status to be published again (e.g.
// after a model was activated). It never blocks.
func (u *Uplink) NotifyStatus() {
	select {
	case u.statusCh <- struct{}{}:
	default:
	}
}

func (u *Uplink) publishStatus(client mqtt.Client) {
	if u.cfg.Status == nil {
		return
	}
	st := u.cfg.Status()
	st.DeviceId, st.UpdatedAt, st.AgentVersion = u.cfg.DeviceID, timestamppb.Now(), u.cfg.AgentVersion
	payload, err := proto.Marshal(st)
	if err != nil {
		u.log.Error("encode status", "err", err)
		return
	}
	t, _ := topic.Device(u.cfg.DeviceID, topic.Status)
	if tok := client.Publish(t, 1, true, payload); !tok.WaitTimeout(u.cfg.AckTimeout) || tok.Error() != nil {
		u.log.Warn("status not acknowledged", "err", tok.Error())
	}
}

// BootID identifies this run of the agent in every batch.
func (u *Uplink) BootID() string { return u.bootID }

// Connected reports whether the link is up.
func (u *Uplink) Connected() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.connected
}

// Run spools a batch every window and keeps the broker connection up until
// ctx ends. A final window is spooled on the way out.
func (u *Uplink) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		u.windowLoop(ctx)
	}()
	u.connectLoop(ctx)
	wg.Wait()
	return nil
}

func (u *Uplink) windowLoop(ctx context.Context) {
	t := time.NewTicker(u.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if _, err := u.FlushWindow(); err != nil {
				u.log.Warn("final telemetry window not spooled", "err", err)
			}
			return
		case <-t.C:
			if _, err := u.FlushWindow(); err != nil {
				u.log.Error("telemetry window not spooled", "err", err)
			}
		}
	}
}

// FlushWindow closes the current window, spools it as a batch and returns
// its sequence number.
func (u *Uplink) FlushWindow() (uint64, error) {
	u.mu.Lock()
	start, end := u.windowStart, time.Now()
	u.windowStart = end
	u.mu.Unlock()
	models := u.rec.Flush()
	health := u.health.Read()
	seq, err := u.spool.Append(func(seq, dropped uint64) ([]byte, error) {
		return telemetryv1.Marshal(&telemetryv1.Batch{
			DeviceId: u.cfg.DeviceID, BootId: u.bootID, Seq: seq,
			WindowStart: timestamppb.New(start), WindowEnd: timestamppb.New(end),
			DroppedBatches: dropped, Models: models, Health: health,
			AgentVersion: u.cfg.AgentVersion, InstanceId: u.cfg.InstanceID,
		}, u.cfg.Encoding)
	})
	if err != nil {
		return 0, err
	}
	select {
	case u.appended <- struct{}{}:
	default:
	}
	return seq, nil
}

func (u *Uplink) connectLoop(ctx context.Context) {
	bo := backoff.NewExponentialBackOff() // randomization factor 0.5 = jitter
	bo.InitialInterval = 500 * time.Millisecond
	bo.MaxInterval = u.cfg.MaxBackoff
	for ctx.Err() == nil {
		connected, err := u.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected { // a session that came up starts the backoff afresh
			bo.Reset()
		}
		delay := bo.NextBackOff()
		u.log.Warn("mqtt link down; reconnecting", "err", err, "retry_in", delay.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// session connects once, drains the spool while connected and returns when
// the connection is lost or ctx ends. connected reports whether the broker
// accepted the connection.
func (u *Uplink) session(ctx context.Context) (connected bool, err error) {
	n, err := u.seq.NextSequence(SessionKey)
	if err != nil {
		return false, fmt.Errorf("next session number: %w", err)
	}
	presenceTopic, _ := topic.Device(u.cfg.DeviceID, topic.Presence)
	offline, _ := proto.Marshal(&devicev1.Presence{Online: false, Session: n, AgentVersion: u.cfg.AgentVersion})
	lost := make(chan error, 1)

	opts := mqtt.NewClientOptions().
		SetClientID(u.cfg.DeviceID).
		SetUsername(u.cfg.Username).
		SetPassword(u.cfg.Password).
		SetCleanSession(false).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetOrderMatters(true).
		SetConnectTimeout(10*time.Second).
		SetKeepAlive(30*time.Second).
		SetBinaryWill(presenceTopic, offline, 1, true).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	for _, b := range u.cfg.Brokers {
		opts.AddBroker(b)
	}
	if u.cfg.TLS.Enabled() {
		tc, err := u.cfg.TLS.Config()
		if err != nil {
			return false, err
		}
		opts.SetTLSConfig(tc)
	}
	client := mqtt.NewClient(opts)
	tok := client.Connect()
	if !waitToken(ctx, tok, 15*time.Second) {
		return false, fmt.Errorf("connect: timed out")
	}
	if err := tok.Error(); err != nil {
		return false, fmt.Errorf("connect to %v: %w", redacted(u.cfg.Brokers), err)
	}
	u.setConnected(true)
	defer u.setConnected(false)
	u.log.Info("mqtt connected", "brokers", redacted(u.cfg.Brokers), "session", n)

	online, _ := proto.Marshal(&devicev1.Presence{Online: true, Session: n, At: timestamppb.Now(), AgentVersion: u.cfg.AgentVersion})
	client.Publish(presenceTopic, 1, true, online)
	u.publishStatus(client)
	if u.onDesire != nil {
		desired, _ := topic.Device(u.cfg.DeviceID, topic.Desired)
		handler := func(_ mqtt.Client, m mqtt.Message) { u.onDesire(m.Payload()) }
		if t := client.Subscribe(desired, 1, handler); waitToken(ctx, t, u.cfg.AckTimeout) && t.Error() != nil {
			u.log.Error("subscribe desired state", "err", t.Error())
		}
	}

	err = u.drain(ctx, client, lost)
	if ctx.Err() != nil {
		// Graceful stop: say so explicitly, the will only fires on a crash.
		offline, _ := proto.Marshal(&devicev1.Presence{Online: false, Session: n, At: timestamppb.Now(), AgentVersion: u.cfg.AgentVersion})
		client.Publish(presenceTopic, 1, true, offline).WaitTimeout(2 * time.Second)
		client.Disconnect(250)
		return true, nil
	}
	client.Disconnect(0)
	return true, err
}

func (u *Uplink) drain(ctx context.Context, client mqtt.Client, lost <-chan error) error {
	telemetryTopic, _ := topic.Device(u.cfg.DeviceID, topic.Telemetry)
	gap := time.Duration(float64(time.Second) / u.cfg.PublishRate)
	for {
		entries, err := u.spool.Peek(1)
		if err != nil {
			return fmt.Errorf("read spool: %w", err)
		}
		if len(entries) == 0 {
			select {
			case <-ctx.Done():
				// Give the final window (spooled by windowLoop) a chance to go out.
				if e, _ := u.spool.Peek(1); len(e) > 0 {
					continue
				}
				return nil
			case err := <-lost:
				return fmt.Errorf("connection lost: %w", err)
			case <-u.appended:
				continue
			case <-u.statusCh:
				u.publishStatus(client)
				continue
			}
		}
		e := entries[0]
		tok := client.Publish(telemetryTopic, 1, false, e.Payload)
		if !tok.WaitTimeout(u.cfg.AckTimeout) {
			return fmt.Errorf("no PUBACK for batch %d within %s", e.Seq, u.cfg.AckTimeout)
		}
		if err := tok.Error(); err != nil {
			return fmt.Errorf("publish batch %d: %w", e.Seq, err)
		}
		if err := u.spool.Ack(e.Seq); err != nil {
			return fmt.Errorf("ack batch %d in spool: %w", e.Seq, err)
		}
		select {
		case err := <-lost:
			return fmt.Errorf("connection lost: %w", err)
		case <-ctx.Done():
			return nil // the rest stays spooled for the next start
		case <-time.After(gap):
		}
	}
}

func (u *Uplink) setConnected(v bool) {
	u.mu.Lock()
	u.connected = v
	u.mu.Unlock()
}

// redacted hides passwords in broker URLs (tcp://user:pass@host) for logs.
func redacted(urls []string) []string {
	out := make([]string, len(urls))
	for i, raw := range urls {
		if u, err := url.Parse(raw); err == nil {
			out[i] = u.Redacted()
		} else {
			out[i] = "(unparsable broker URL)"
		}
	}
	return out
}

func waitToken(ctx context.Context, t mqtt.Token, timeout time.Duration) bool {
	select {
	case <-t.Done():
		return true
	case <-ctx.Done():
		return false
	case <-time.After(timeout):
		return false
	}
}
