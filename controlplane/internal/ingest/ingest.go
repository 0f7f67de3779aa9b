// Package ingest receives device telemetry from MQTT, removes duplicates by
// (device, sequence), records gaps, and keeps per-device and per-model time
// buckets (1 minute, rolled up to 1 hour) in the control plane's bbolt file.
// It answers the telemetry and metrics API queries, computes input drift
// (population stability index) and exports fleet aggregates to Prometheus.
//
// A malformed payload — undecodable, oversize, wrong topic shape, a device
// id that differs from the topic's, an unknown device — is counted and
// logged with its topic and changes no state.
package ingest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
	"github.com/edgefleet/edgefleet/proto/topic"
)

var (
	bucketState  = []byte("telemetry_devices") // device → deviceState
	bucketMinute = []byte("telemetry_1m")      // kind/…/unix-minute → bucket JSON
	bucketHour   = []byte("telemetry_1h")      // kind/…/unix-hour → bucket JSON
	bucketRef    = []byte("telemetry_ref")     // model\x00version → reference
)

// Config tunes the ingester. Zero values take the defaults.
type Config struct {
	// MaxPayload bounds one telemetry message (default 1 MiB).
	MaxPayload int
	// MinuteRetention and HourRetention bound how long buckets are kept
	// (defaults 48 h and 30 days).
	MinuteRetention, HourRetention time.Duration
	// ReferenceWindow is how much fleet data from a version's first
	// telemetry becomes its drift reference when none was uploaded
	// (default 1 h).
	ReferenceWindow time.Duration
	// DriftThreshold flags a PSI above it (default 0.2).
	DriftThreshold float64
}

func (c *Config) setDefaults() {
	if c.MaxPayload <= 0 {
		c.MaxPayload = 1 << 20
	}
	if c.MinuteRetention <= 0 {
		c.MinuteRetention = 48 * time.Hour
	}
	if c.HourRetention <= 0 {
		c.HourRetention = 30 * 24 * time.Hour
	}
	if c.ReferenceWindow <= 0 {
		c.ReferenceWindow = time.Hour
	}
	if c.DriftThreshold <= 0 {
		c.DriftThreshold = 0.2
	}
}

// Devices tells the ingester which devices exist and their drift group
// (e.g. the value of a "site" label); the device registry implements it.
type Devices interface {
	// Group returns the device's group and whether the device is known and
	// not revoked.
	Group(ctx context.Context, deviceID string) (group string, ok bool)
}

// Ingester consumes telemetry batches. Create it with New.
type Ingester struct {
	db      *bolt.DB
	cfg     Config
	devices Devices
	log     *slog.Logger
	now     func() time.Time
	stats   counters
	totals  fleetTotals
	// storeGen changes whenever something other than the writer changes
	// the telemetry buckets, so the writer's cache knows to reread them.
	storeGen atomic.Uint64
	// cache is the writer goroutine's decoded records (see txCache).
	cache *txCache
	// queue feeds the single writer goroutine, which decodes what Submit
	// queued, owns all dedup decisions and commits groups of batches per
	// transaction. groupFull tells a lingering writer that a whole group
	// is waiting.
	queue      chan item
	groupFull  chan struct{}
	writerDone chan struct{}
	closeMu    sync.RWMutex
	closed     bool
	// live fans decoded batches out to `telemetry tail` streams.
	liveMu sync.Mutex
	live   map[chan *telemetryv1.Batch]struct{}
}

// counters are the ingester's own health figures.
type counters struct {
	batches, duplicates, missing, dropped atomic.Uint64
	malformed                             sync.Map // reason → *atomic.Uint64
}

// New creates the ingester's buckets in db.
func New(db *bolt.DB, devices Devices, cfg Config, log *slog.Logger) (*Ingester, error) {
	cfg.setDefaults()
	if log == nil {
		log = slog.Default()
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketState, bucketMinute, bucketHour, bucketRef} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: create buckets: %w", err)
	}
	in := &Ingester{db: db, cfg: cfg, devices: devices, log: log, now: time.Now,
		live: map[chan *telemetryv1.Batch]struct{}{}, cache: newTxCache(),
		queue: make(chan item, 2*maxGroup), groupFull: make(chan struct{}, 1), writerDone: make(chan struct{})}
	go in.writer()
	return in, nil
}

// Errors Handle reports; each increments a malformed counter.
var (
	ErrMalformed     = errors.New("malformed telemetry")
	ErrUnknownDevice = errors.New("unknown device")
)

// Handle ingests one message and waits until it is committed. Errors are
// already counted and logged; they are returned for tests and callers that
// want them.
func (in *Ingester) Handle(ctx context.Context, t string, payload []byte) error {
	it := item{topic: t}
	if err := in.decode(ctx, &it, payload, in.now()); err != nil {
		return err
	}
	done := make(chan error, 1)
	it.done = done
	if err := in.enqueue(ctx, it); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Submit ingests one message without waiting for the commit: the MQTT
// callback path, so the broker session is never held up by the disk.
// Messages acknowledged to the broker but not yet committed are lost if
// the process dies in that window (at most one group, a few milliseconds).
//
// The MQTT client's callback only queues the payload; the writer decodes
// it with the rest of its group, so order per device is kept (one queue,
// one writer) and the writer wakes once per group rather than once per
// message.
func (in *Ingester) Submit(t string, payload []byte) {
	in.closeMu.RLock()
	defer in.closeMu.RUnlock()
	if !in.closed {
		in.queue <- item{topic: t, payload: payload}
		in.signalGroup()
	}
}

// item is a message waiting for the writer: a payload from Submit, or a
// batch Handle decoded already.
type item struct {
	topic   string
	payload []byte // until decoded
	batch   *telemetryv1.Batch
	group   string
	done    chan<- error // nil for Submit
	dup     bool         // set by commitGroup
	shared  bool         // batch handed to a watcher
}

// signalGroup wakes a lingering writer once a whole group is queued.
func (in *Ingester) signalGroup() {
	if len(in.queue) >= maxGroup {
		select {
		case in.groupFull <- struct{}{}:
		default:
		}
	}
}

// decode fills it.batch and it.group from payload, received at now.
func (in *Ingester) decode(ctx context.Context, it *item, payload []byte, now time.Time) error {
	t := it.topic
	id, kind, err := topic.Parse(t)
	if err != nil || kind != topic.Telemetry {
		return in.reject(t, "topic", fmt.Errorf("%w: topic %q is not a device telemetry topic", ErrMalformed, t))
	}
	if len(payload) > in.cfg.MaxPayload {
		return in.reject(t, "oversize", fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(payload), in.cfg.MaxPayload))
	}
	b, err := telemetryv1.Unmarshal(payload)
	if err != nil {
		return in.reject(t, "decode", fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	if b.DeviceId != id {
		return in.reject(t, "device_mismatch", fmt.Errorf("%w: batch names device %q on device %q's topic", ErrMalformed, b.DeviceId, id))
	}
	if b.Seq == 0 {
		return in.reject(t, "sequence", fmt.Errorf("%w: sequence number 0", ErrMalformed))
	}
	if err := validate(b, now); err != nil {
		return in.reject(t, "invalid", fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	group := ""
	if in.devices != nil {
		g, ok := in.devices.Group(ctx, id)
		if !ok {
			return in.reject(t, "unknown_device", fmt.Errorf("%w: %q", ErrUnknownDevice, id))
		}
		group = g
	}
	it.batch, it.group = b, group
	return nil
}

// ErrClosed is returned for messages arriving after Close.
var ErrClosed = errors.New("ingester closed")

func (in *Ingester) enqueue(ctx context.Context, it item) error {
	in.closeMu.RLock()
	defer in.closeMu.RUnlock()
	if in.closed {
		return ErrClosed
	}
	select {
	case in.queue <- it:
		in.signalGroup()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting messages and waits until the queued ones are
// committed.
func (in *Ingester) Close() error {
	in.closeMu.Lock()
	if !in.closed {
		in.closed = true
		close(in.queue) // the writer commits what is queued, then returns
	}
	in.closeMu.Unlock()
	<-in.writerDone
	return nil
}

// maxGroup bounds how many batches one transaction commits; groupLinger
// is how long the writer waits for more batches before committing a
// partial group. One fsync per few milliseconds instead of one per batch is
// what lets ingestion keep up with the broker.
const (
	maxGroup    = 4096
	groupLinger = 20 * time.Millisecond
)

// writer commits queued batches in groups: one bbolt transaction (one
// fsync) for everything that arrived within groupLinger of the first.
//
// While it lingers the writer does not receive: a goroutine parked on the
// queue is woken and scheduled for every message, CPU taken from the MQTT
// client's goroutines. It sleeps instead, then takes what has arrived;
// groupFull cuts the sleep short when a whole group is waiting.
func (in *Ingester) writer() {
	defer close(in.writerDone)
	group := make([]item, 0, maxGroup)
	linger := time.NewTimer(groupLinger)
	linger.Stop()
	for first := range in.queue {
		group = append(group[:0], first)
		if len(in.queue) < maxGroup-1 {
			linger.Reset(groupLinger)
			select {
			case <-linger.C:
			case <-in.groupFull:
				linger.Stop()
			}
		}
	fill:
		for len(group) < maxGroup {
			select {
			case it, ok := <-in.queue:
				if !ok {
					break fill
				}
				group = append(group, it)
			default:
				break fill
			}
		}
		if group = in.decodeGroup(group); len(group) > 0 {
			in.commit(group)
		}
		for i, it := range group {
			// Nothing keeps a batch after its commit but a watcher
			// (aggregates copy what they take): the next decode may
			// reuse it.
			if !it.shared {
				it.batch.ReturnToVTPool()
			}
			group[i] = item{}
		}
	}
}

// decodeGroup decodes the items Submit queued and drops those that do not
// decode (decode has counted and logged them). The group arrived within
// one linger, so one clock reading serves as the receive time of all.
func (in *Ingester) decodeGroup(group []item) []item {
	ok := group[:0]
	now := in.now()
	for _, it := range group {
		if it.batch == nil {
			if in.decode(context.Background(), &it, it.payload, now) != nil {
				continue
			}
			it.payload = nil
		}
		ok = append(ok, it)
	}
	clear(group[len(ok):]) // let dropped payloads go
	return ok
}

func (in *Ingester) commit(group []item) {
	err := in.commitGroup(group)
	if err != nil && len(group) > 1 {
		// One bad batch must not take the others down with it: retry each
		// alone, so only the culprit is lost (and logged).
		for i := range group {
			in.commit(group[i : i+1])
		}
		return
	}
	if err != nil {
		it := group[0]
		in.log.Error("telemetry not stored", "topic", it.topic, "seq", it.batch.Seq, "err", err)
		if it.done != nil {
			it.done <- err
		}
	}
}

// commitGroup applies a group in one transaction and, when it commits,
// counts and acknowledges every item.
func (in *Ingester) commitGroup(group []item) error {
	c := in.cache
	now := in.now() // the whole group is stored at once
	err := in.db.Update(func(tx *bolt.Tx) error {
		c.begin(tx, in.storeGen.Load())
		for i := range group {
			it := &group[i]
			dup, err := in.apply(c, it.batch, it.group, now)
			if err != nil {
				return fmt.Errorf("batch %d of %s: %w", it.batch.Seq, it.batch.DeviceId, err)
			}
			it.dup = dup
		}
		return c.flush()
	})
	if err != nil {
		c.reset() // the records hold changes that were rolled back
		return err
	}
	for i := range group {
		it := &group[i]
		if it.dup {
			in.stats.duplicates.Add(1)
		} else {
			it.shared = in.counted(it.batch)
		}
		if it.done != nil {
			it.done <- nil
		}
	}
	return nil
}

// counted counts a new batch and hands it to watchers, reporting whether
// any took it.
func (in *Ingester) counted(b *telemetryv1.Batch) (shared bool) {
	in.stats.batches.Add(1)
	in.stats.dropped.Add(b.DroppedBatches)
	for _, w := range b.Models {
		var errs uint64
		for _, e := range w.Errors {
			errs += e.Count
		}
		in.totals.add(w.Model, w.Version, w.Requests, errs)
	}
	return in.broadcast(b)
}

func (in *Ingester) reject(t, reason string, err error) error {
	v, _ := in.stats.malformed.LoadOrStore(reason, new(atomic.Uint64))
	v.(*atomic.Uint64).Add(1)
	in.log.Warn("telemetry rejected", "topic", t, "reason", reason, "err", err)
	return err
}

// deviceState is what dedup and gap detection remember per device.
type deviceState struct {
	MaxSeq     uint64      `json:"max_seq"`
	Received   uint64      `json:"received"`
	Duplicates uint64      `json:"duplicates"`
	Dropped    uint64      `json:"dropped_batches"` // reported by the device's spool
	Missing    [][2]uint64 `json:"missing,omitempty"`
	LastSeen   time.Time   `json:"last_seen"`
	BootID     string      `json:"boot_id"`
	InstanceID string      `json:"instance_id,omitempty"`
	Resets     uint64      `json:"resets,omitempty"` // reinstalls seen
}

// maxMissingRanges bounds the gap list so a device with a broken counter
// cannot grow its state without limit.
const maxMissingRanges = 256

// accept decides whether seq is new and updates the gap list.
func (s *deviceState) accept(seq uint64) bool {
	if seq > s.MaxSeq {
		if seq > s.MaxSeq+1 {
			s.Missing = append(s.Missing, [2]uint64{s.MaxSeq + 1, seq - 1})
			if len(s.Missing) > maxMissingRanges {
				s.Missing = s.Missing[len(s.Missing)-maxMissingRanges:]
			}
		}
		s.MaxSeq = seq
		return true
	}
	for i, r := range s.Missing { // a late batch fills a gap
		if seq >= r[0] && seq <= r[1] {
			var repl [][2]uint64
			if seq > r[0] {
				repl = append(repl, [2]uint64{r[0], seq - 1})
			}
			if seq < r[1] {
				repl = append(repl, [2]uint64{seq + 1, r[1]})
			}
			s.Missing = append(s.Missing[:i], append(repl, s.Missing[i+1:]...)...)
			return true
		}
	}
	return false
}

// MissingCount returns how many sequence numbers never arrived.
func (s *deviceState) MissingCount() uint64 {
	var n uint64
	for _, r := range s.Missing {
		n += r[1] - r[0] + 1
	}
	return n
}

func (in *Ingester) apply(c *txCache, b *telemetryv1.Batch, group string, now time.Time) (dup bool, err error) {
	st, err := c.state(b.DeviceId)
	if err != nil {
		return false, err
	}
	if b.InstanceId != "" && st.InstanceID != "" && b.InstanceId != st.InstanceID {
		// A reinstalled device: its sequence numbers start again.
		st.MaxSeq, st.Missing, st.Resets = 0, nil, st.Resets+1
	}
	if b.InstanceId != "" {
		st.InstanceID = b.InstanceId
	}
	if st.MaxSeq > 0 && b.Seq > st.MaxSeq+maxSeqJump {
		return false, fmt.Errorf("sequence %d jumps more than %d past %d", b.Seq, maxSeqJump, st.MaxSeq)
	}
	if !st.accept(b.Seq) {
		st.Duplicates++
		return true, nil
	}
	before := st.MissingCount()
	st.Received++
	st.Dropped += b.DroppedBatches
	st.LastSeen = now
	st.BootID = b.BootId
	if after := st.MissingCount(); after > before {
		in.stats.missing.Add(after - before)
	}

	at := now
	if b.WindowEnd != nil && b.WindowEnd.IsValid() {
		at = b.WindowEnd.AsTime()
	}
	for res := range resolutions {
		start := at.Truncate(stepOf[res]).Unix()
		d, err := c.device(res, b.DeviceId, start)
		if err != nil {
			return false, err
		}
		d.Start = start
		d.Batches++
		d.Dropped += b.DroppedBatches
		d.setHealth(b.Health)
		for _, w := range b.Models {
			d.model(w.Model, w.Version).merge(w)
			a, err := c.model(res, w.Model, w.Version, start)
			if err != nil {
				return false, err
			}
			a.Model, a.Version = w.Model, w.Version
			a.merge(w)
			if res != hour {
				continue
			}
			// Drift compares device groups hour by hour.
			g, err := c.group(res, w.Model, w.Version, group, start)
			if err != nil {
				return false, err
			}
			g.Model, g.Version = w.Model, w.Version
			g.merge(w)
		}
	}
	for _, w := range b.Models {
		r, err := c.reference(w.Model, w.Version)
		if err != nil {
			return false, err
		}
		in.updateReference(r, w, at)
	}
	return false, nil
}

// Keys end in a big-endian unix time so a prefix scan walks one series in
// time order. They are appended to a caller's buffer: the writer builds
// several per batch.
func timeSuffix(prefix string, start int64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefix), uint64(start))
}

func appendDeviceKey(dst []byte, id string, start int64) []byte {
	dst = append(append(append(dst, "d\x00"...), id...), 0)
	return binary.BigEndian.AppendUint64(dst, uint64(start))
}

func appendModelKey(dst []byte, kind, model, version string, start int64) []byte {
	dst = append(append(dst, kind...), 0)
	dst = append(append(dst, model...), 0)
	dst = append(append(dst, version...), 0)
	return binary.BigEndian.AppendUint64(dst, uint64(start))
}

func appendGroupKey(dst []byte, model, version, group string, start int64) []byte {
	dst = append(append(dst, "g\x00"...), model...)
	dst = append(append(dst, 0), version...)
	dst = append(append(dst, 0), group...)
	dst = append(dst, 0)
	return binary.BigEndian.AppendUint64(dst, uint64(start))
}
