package ingest

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// Reference is the input distribution a model version's drift is measured
// against: uploaded with the version, or adopted from the fleet's first
// ReferenceWindow of telemetry.
type Reference struct {
	Hist     []uint64  `json:"hist"`
	Since    time.Time `json:"since"`
	Frozen   bool      `json:"frozen"`
	Uploaded bool      `json:"uploaded"`
}

func refKey(model, version string) []byte { return appendRefKey(nil, model, version) }

func appendRefKey(dst []byte, model, version string) []byte {
	return append(append(append(dst, model...), 0), version...)
}

// updateReference adds a window to a version's reference while its
// adoption period lasts.
func (in *Ingester) updateReference(r *Reference, w *telemetryv1.ModelWindow, at time.Time) {
	if len(w.Inputs) == 0 || len(w.Inputs[0].Hist) == 0 || r.Frozen {
		return
	}
	if r.Since.IsZero() {
		r.Since = at
	}
	if at.Sub(r.Since) >= in.cfg.ReferenceWindow && len(r.Hist) > 0 {
		r.Frozen = true
		return
	}
	r.Hist = addHist(r.Hist, w.Inputs[0].Hist)
}

// SetReference installs an uploaded reference distribution for a version,
// replacing any adopted one.
func (in *Ingester) SetReference(model, version string, hist []uint64) error {
	r := Reference{Hist: append([]uint64(nil), hist...), Since: in.now(), Frozen: true, Uploaded: true}
	v, err := json.Marshal(&r)
	if err != nil {
		return err
	}
	return in.db.Update(func(tx *bolt.Tx) error {
		in.storeGen.Add(1) // the writer's cached reference is stale
		return tx.Bucket(bucketRef).Put(refKey(model, version), v)
	})
}

func (in *Ingester) reference(tx *bolt.Tx, model, version string) (Reference, bool) {
	var r Reference
	v := tx.Bucket(bucketRef).Get(refKey(model, version))
	if v == nil || json.Unmarshal(v, &r) != nil {
		return r, false
	}
	return r, true
}
