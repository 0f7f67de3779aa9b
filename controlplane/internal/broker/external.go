package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// ExternalConfig locates an external broker.
type ExternalConfig struct {
	URL      string // tcp://host:1883, ssl://host:8883
	Username string
	Password string
	ClientID string
}

// External is a client session on an external broker.
type External struct {
	c    paho.Client
	desc string
	log  *slog.Logger

	mu   sync.Mutex
	subs map[string]paho.MessageHandler // resubscribed on every connect
}

// Dial connects to the broker, retrying in the background after losses.
// The first connection must succeed within ctx.
func Dial(ctx context.Context, cfg ExternalConfig, log *slog.Logger) (*External, error) {
	if log == nil {
		log = slog.Default()
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("broker: --mqtt-url %q: want scheme://host:port", cfg.URL)
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "edgefleet-controlplane"
	}
	e := &External{desc: "external MQTT broker " + u.Redacted(), log: log, subs: map[string]paho.MessageHandler{}}
	// A persistent session (clean session off) lets the broker queue
	// telemetry for us while we reconnect; the subscriptions are renewed on
	// every connect in case the broker lost them (restarted without
	// persistence). Handlers run concurrently so a slow one cannot stall
	// the session.
	opts := paho.NewClientOptions().AddBroker(cfg.URL).SetClientID(cfg.ClientID).
		SetUsername(cfg.Username).SetPassword(cfg.Password).
		SetAutoReconnect(true).SetConnectRetry(true).SetCleanSession(false).
		SetMaxReconnectInterval(5 * time.Second).
		SetOnConnectHandler(e.resubscribe).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn("mqtt connection lost; reconnecting", "broker", u.Redacted(), "err", err)
		})
	c := paho.NewClient(opts)
	e.c = c
	tok := c.Connect()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Second)
	}
	if !tok.WaitTimeout(time.Until(deadline)) || !c.IsConnected() {
		c.Disconnect(0)
		if tok.Error() != nil {
			return nil, fmt.Errorf("broker: connect to %s: %w", u.Redacted(), tok.Error())
		}
		return nil, fmt.Errorf("broker: connect to %s: timed out", u.Redacted())
	}
	return e, nil
}

func (e *External) resubscribe(c paho.Client) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for filter, h := range e.subs {
		if tok := c.Subscribe(filter, 1, h); tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
			e.log.Error("mqtt resubscribe failed", "filter", filter, "err", tok.Error())
		}
	}
}

// String names the backend for logs.
func (e *External) String() string { return e.desc }

// Publish sends at QoS 1 and waits for the broker's acknowledgement.
func (e *External) Publish(ctx context.Context, t string, payload []byte, retain bool) error {
	return wait(ctx, e.c.Publish(t, 1, retain, payload), "publish "+t)
}

// Subscribe subscribes at QoS 1.
func (e *External) Subscribe(filter string, fn func(string, []byte)) error {
	h := func(_ paho.Client, m paho.Message) { fn(m.Topic(), m.Payload()) }
	e.mu.Lock()
	e.subs[filter] = h
	e.mu.Unlock()
	tok := e.c.Subscribe(filter, 1, h)
	return wait(context.Background(), tok, "subscribe "+filter)
}

// Ping reports whether the session is connected.
func (e *External) Ping(context.Context) error {
	if !e.c.IsConnectionOpen() {
		return fmt.Errorf("broker: %s: %w", e.desc, errNotConnected)
	}
	return nil
}

// Close disconnects.
func (e *External) Close() error {
	e.c.Disconnect(250)
	return nil
}

func wait(ctx context.Context, tok paho.Token, what string) error {
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fmt.Errorf("broker: %s: %w", what, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("broker: %s: %w", what, ctx.Err())
	case <-time.After(10 * time.Second):
		return fmt.Errorf("broker: %s: no acknowledgement within 10s", what)
	}
}
