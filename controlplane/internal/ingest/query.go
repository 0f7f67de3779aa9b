package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Resolution picks minute buckets for ranges up to this long, hour buckets
// beyond.
const minuteRangeLimit = 6 * time.Hour

// DeviceTelemetry is the answer to GET /api/v1/devices/{id}/telemetry.
type DeviceTelemetry struct {
	DeviceID   string          `json:"device_id"`
	From       time.Time       `json:"from"`
	To         time.Time       `json:"to"`
	Resolution string          `json:"resolution"` // "1m" or "1h"
	Received   uint64          `json:"batches_received"`
	Duplicates uint64          `json:"duplicates"`
	Dropped    uint64          `json:"dropped_batches"`
	Missing    uint64          `json:"missing_batches"`
	Gaps       [][2]uint64     `json:"gaps,omitempty"`
	LastSeq    uint64          `json:"last_seq"`
	LastSeen   *time.Time      `json:"last_seen,omitempty"`
	Buckets    []*DeviceBucket `json:"buckets"`
}

// Device returns a device's telemetry between from and to.
func (in *Ingester) Device(id string, from, to time.Time) (*DeviceTelemetry, error) {
	out := &DeviceTelemetry{DeviceID: id, From: from, To: to, Buckets: []*DeviceBucket{}}
	bucket, step := pickResolution(from, to)
	out.Resolution = map[time.Duration]string{time.Minute: "1m", time.Hour: "1h"}[step]
	err := in.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketState).Get([]byte(id)); v != nil {
			var st deviceState
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out.Received, out.Duplicates, out.Dropped = st.Received, st.Duplicates, st.Dropped
			out.Missing, out.Gaps, out.LastSeq = st.MissingCount(), st.Missing, st.MaxSeq
			out.LastSeen = &st.LastSeen
		}
		return scanRange(tx.Bucket(bucket), "d\x00"+id+"\x00", from.Truncate(step), to, func(v []byte) error {
			d := new(DeviceBucket)
			if err := json.Unmarshal(v, d); err != nil {
				return err
			}
			out.Buckets = append(out.Buckets, d)
			return nil
		})
	})
	return out, err
}

// ModelMetrics is the answer to GET /api/v1/models/{name}/versions/{v}/metrics.
type ModelMetrics struct {
	Model        string            `json:"model"`
	Version      string            `json:"version"`
	From         time.Time         `json:"from"`
	To           time.Time         `json:"to"`
	Requests     uint64            `json:"requests"`
	Errors       uint64            `json:"errors"`
	ErrorsByKind map[string]uint64 `json:"errors_by_kind,omitempty"`
	ErrorRate    float64           `json:"error_rate"`
	LatencyP50Us float64           `json:"latency_p50_us"`
	LatencyP90Us float64           `json:"latency_p90_us"`
	LatencyP99Us float64           `json:"latency_p99_us"`
	MemoHits     uint64            `json:"memo_hits"`
	Rejections   uint64            `json:"queue_rejections"`
	// Top1 is the output class distribution (class index → count).
	Top1      map[uint32]uint64 `json:"top1,omitempty"`
	Reference *Reference        `json:"drift_reference,omitempty"`
	Drift     []DriftPoint      `json:"drift"`
	Drifting  bool              `json:"drifting"`
	Threshold float64           `json:"drift_threshold"`
}

// DriftPoint is one hour's PSI for one device group.
type DriftPoint struct {
	Hour    time.Time `json:"hour"`
	Group   string    `json:"group"`
	PSI     float64   `json:"psi"`
	Samples uint64    `json:"samples"`
	Drift   bool      `json:"drift"`
}

// Model returns fleet-wide metrics for a model version between from and to.
func (in *Ingester) Model(model, version string, from, to time.Time) (*ModelMetrics, error) {
	out := &ModelMetrics{Model: model, Version: version, From: from, To: to, Drift: []DriftPoint{}, Threshold: in.cfg.DriftThreshold}
	bucket, step := pickResolution(from, to)
	total := &ModelAgg{}
	err := in.db.View(func(tx *bolt.Tx) error {
		err := scanRange(tx.Bucket(bucket), "m\x00"+model+"\x00"+version+"\x00", from.Truncate(step), to, func(v []byte) error {
			var a ModelAgg
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			total.add(&a)
			return nil
		})
		if err != nil {
			return err
		}
		ref, ok := in.reference(tx, model, version)
		if !ok {
			return nil
		}
		out.Reference = &ref
		if !ref.Frozen {
			return nil // still adopting: no drift yet
		}
		prefix := []byte("g\x00" + model + "\x00" + version + "\x00")
		c := tx.Bucket(bucketHour).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rest := k[len(prefix):]
			if len(rest) < 9 {
				continue
			}
			group := string(rest[:len(rest)-9])
			hour := time.Unix(int64(beUint(rest[len(rest)-8:])), 0).UTC()
			if hour.Before(from.Truncate(time.Hour)) || hour.After(to) {
				continue
			}
			var a ModelAgg
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			psi := PSI(ref.Hist, a.InputHist)
			var n uint64
			for _, c := range a.InputHist {
				n += c
			}
			p := DriftPoint{Hour: hour, Group: group, PSI: psi, Samples: n, Drift: psi > in.cfg.DriftThreshold}
			out.Drifting = out.Drifting || p.Drift
			out.Drift = append(out.Drift, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out.Drift, func(i, j int) bool {
		if !out.Drift[i].Hour.Equal(out.Drift[j].Hour) {
			return out.Drift[i].Hour.Before(out.Drift[j].Hour)
		}
		return out.Drift[i].Group < out.Drift[j].Group
	})
	out.Requests, out.Errors, out.ErrorsByKind = total.Requests, total.ErrorCount(), total.Errors
	if total.Requests > 0 {
		out.ErrorRate = float64(out.Errors) / float64(total.Requests)
	}
	out.LatencyP50Us, out.LatencyP90Us, out.LatencyP99Us = total.LatencyQuantile(0.5), total.LatencyQuantile(0.9), total.LatencyQuantile(0.99)
	out.MemoHits, out.Rejections, out.Top1 = total.MemoHits, total.QueueRejections, total.Top1
	return out, nil
}

func pickResolution(from, to time.Time) ([]byte, time.Duration) {
	if to.Sub(from) <= minuteRangeLimit {
		return bucketMinute, time.Minute
	}
	return bucketHour, time.Hour
}

// scanRange calls fn for every key prefix+time with from ≤ time ≤ to.
func scanRange(bk *bolt.Bucket, prefix string, from, to time.Time, fn func(v []byte) error) error {
	c := bk.Cursor()
	start := timeSuffix(prefix, max(from.Unix(), 0))
	end := timeSuffix(prefix, max(to.Unix(), 0))
	for k, v := c.Seek(start); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
		if !bytes.HasPrefix(k, []byte(prefix)) {
			break
		}
		if err := fn(v); err != nil {
			return fmt.Errorf("decode bucket: %w", err)
		}
	}
	return nil
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// Sweep deletes buckets older than the retention settings and returns how
// many it removed. The server runs it periodically.
func (in *Ingester) Sweep() (int, error) {
	now := in.now()
	removed := 0
	err := in.db.Update(func(tx *bolt.Tx) error {
		in.storeGen.Add(1) // the writer must not write deleted buckets back
		for _, r := range []struct {
			bucket []byte
			keep   time.Duration
		}{{bucketMinute, in.cfg.MinuteRetention}, {bucketHour, in.cfg.HourRetention}} {
			cutoff := uint64(now.Add(-r.keep).Unix())
			bk := tx.Bucket(r.bucket)
			var old [][]byte
			_ = bk.ForEach(func(k, _ []byte) error {
				if len(k) >= 8 && beUint(k[len(k)-8:]) < cutoff {
					old = append(old, append([]byte(nil), k...))
				}
				return nil
			})
			for _, k := range old {
				if err := bk.Delete(k); err != nil {
					return err
				}
			}
			removed += len(old)
		}
		return nil
	})
	return removed, err
}
