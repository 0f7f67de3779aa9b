// Package devices is the device registry: enrollment with a one-time
// credential (stored hashed), labels, revocation, and what each device last
// reported (presence, installed and active model versions).
package devices

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/controlplane/internal/credential"
	"github.com/edgefleet/edgefleet/controlplane/internal/labels"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
	"github.com/edgefleet/edgefleet/proto/topic"
)

// Bucket is the metadata bucket holding devices.
const Bucket = "devices"

// credentialPrefix marks device credentials.
const credentialPrefix = "edc_"

// Errors callers map to API responses.
var (
	ErrNotFound = meta.ErrNotFound
	ErrExists   = errors.New("device already enrolled")
	ErrRevoked  = errors.New("device revoked")
	ErrBadLogin = errors.New("bad device credential")
)

// ModelRef names one model version on a device.
type ModelRef struct {
	Model   string `json:"model"`
	Version string `json:"version"`
}

// Device is a registered device as the API shows it.
type Device struct {
	ID        string            `json:"id"`
	Labels    map[string]string `json:"labels"`
	CreatedAt time.Time         `json:"created_at"`
	RevokedAt *time.Time        `json:"revoked_at,omitempty"`
	// LastSeen, Presence, Installed and Active come from the device's own
	// MQTT reports.
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	Presence  string     `json:"presence"`
	Installed []ModelRef `json:"installed"`
	Active    *ModelRef  `json:"active,omitempty"`
}

type stored struct {
	Device
	CredentialHash string `json:"credential_hash"`
}

// Registry stores devices in the metadata database.
type Registry struct {
	db  *bolt.DB
	now func() time.Time
}

// NewRegistry returns a registry on db, whose Bucket must exist.
func NewRegistry(db *meta.DB) *Registry { return &Registry{db: db.Bolt(), now: time.Now} }

// Enroll registers a device and returns its credential, which is never
// retrievable again.
func (r *Registry) Enroll(_ context.Context, id string, set map[string]string) (Device, string, error) {
	if err := topic.ValidateDeviceID(id); err != nil {
		return Device{}, "", fmt.Errorf("devices: enroll: %w", err)
	}
	if set == nil {
		set = map[string]string{}
	}
	if err := labels.Validate(set); err != nil {
		return Device{}, "", fmt.Errorf("devices: enroll %s: %w", id, err)
	}
	secret := credential.New(credentialPrefix)
	d := Device{ID: id, Labels: set, CreatedAt: r.now().UTC(), Presence: "unknown", Installed: []ModelRef{}}
	err := r.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		if b.Get([]byte(id)) != nil {
			return fmt.Errorf("%w: %s", ErrExists, id)
		}
		return meta.Put(b, id, stored{Device: d, CredentialHash: credential.Hash(secret)})
	})
	if err != nil {
		return Device{}, "", fmt.Errorf("devices: enroll: %w", err)
	}
	return d, secret, nil
}

// Get returns one device.
func (r *Registry) Get(_ context.Context, id string) (Device, error) {
	var st stored
	err := r.db.View(func(tx *bolt.Tx) error { return meta.Get(tx.Bucket([]byte(Bucket)), id, &st) })
	if err != nil {
		return Device{}, fmt.Errorf("devices: device %w", err)
	}
	return st.Device, nil
}

// List returns one page of the devices sel matches, in id order.
func (r *Registry) List(_ context.Context, sel labels.Selector, page meta.Page) ([]Device, string, error) {
	out := []Device{}
	var next string
	err := r.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		var err error
		next, err = meta.Scan(b, "", page, func(k, _ []byte) (bool, error) {
			var st stored
			if err := meta.Get(b, string(k), &st); err != nil {
				return false, err
			}
			if !sel.Matches(st.Labels) {
				return false, nil
			}
			out = append(out, st.Device)
			return true, nil
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("devices: list: %w", err)
	}
	return out, next, nil
}

// Relabel applies a merge patch to a device's labels: a nil value removes
// the key, any other value sets it.
func (r *Registry) Relabel(_ context.Context, id string, patch map[string]*string) (Device, error) {
	return r.update(id, func(st *stored) error {
		next := maps.Clone(st.Labels)
		if next == nil {
			next = map[string]string{}
		}
		for k, v := range patch {
			if v == nil {
				delete(next, k)
			} else {
				next[k] = *v
			}
		}
		if err := labels.Validate(next); err != nil {
			return err
		}
		st.Labels = next
		return nil
	})
}

// Revoke refuses the device from now on; revoking twice is harmless.
func (r *Registry) Revoke(_ context.Context, id string) (Device, error) {
	return r.update(id, func(st *stored) error {
		if st.RevokedAt == nil {
			now := r.now().UTC()
			st.RevokedAt = &now
		}
		return nil
	})
}

// Authenticate checks a device's credential, as the broker does on connect.
func (r *Registry) Authenticate(ctx context.Context, id, secret string) error {
	var st stored
	err := r.db.View(func(tx *bolt.Tx) error { return meta.Get(tx.Bucket([]byte(Bucket)), id, &st) })
	if errors.Is(err, meta.ErrNotFound) {
		return fmt.Errorf("%w: unknown device %q", ErrBadLogin, id)
	}
	if err != nil {
		return fmt.Errorf("devices: authenticate %s: %w", id, err)
	}
	if !credential.Match(secret, st.CredentialHash) {
		return fmt.Errorf("%w: device %q", ErrBadLogin, id)
	}
	if st.RevokedAt != nil {
		return fmt.Errorf("%w: %s", ErrRevoked, id)
	}
	return nil
}

// Report records what a device said about itself. Fields left nil keep
// their value.
type Report struct {
	Presence  string
	Installed []ModelRef
	Active    *ModelRef
	At        time.Time
}

// Record stores a device report.
func (r *Registry) Record(_ context.Context, id string, rep Report) error {
	_, err := r.update(id, func(st *stored) error {
		if st.RevokedAt != nil {
			// A revoked device's reports are not evidence of anything.
			return fmt.Errorf("%w: %s", ErrRevoked, id)
		}
		at := rep.At
		if at.IsZero() {
			at = r.now().UTC()
		}
		st.LastSeen = &at
		if rep.Presence != "" {
			st.Presence = rep.Presence
		}
		if rep.Installed != nil {
			st.Installed = rep.Installed
		}
		if rep.Active != nil {
			st.Active = rep.Active
		}
		return nil
	})
	return err
}

// VersionUsers lists the devices that report model version name/version
// installed or active; the registry refuses to delete it while any do.
func (r *Registry) VersionUsers(_ context.Context, name, version string) ([]string, error) {
	var users []string
	want := ModelRef{Model: name, Version: version}
	err := r.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		return b.ForEach(func(k, _ []byte) error {
			var st stored
			if err := meta.Get(b, string(k), &st); err != nil {
				return err
			}
			if st.RevokedAt != nil {
				return nil
			}
			uses := st.Active != nil && *st.Active == want
			for _, m := range st.Installed {
				uses = uses || m == want
			}
			if uses {
				users = append(users, "device "+st.ID)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("devices: users of %s/%s: %w", name, version, err)
	}
	return users, nil
}

func (r *Registry) update(id string, fn func(*stored) error) (Device, error) {
	var st stored
	err := r.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		if err := meta.Get(b, id, &st); err != nil {
			return err
		}
		if err := fn(&st); err != nil {
			return err
		}
		return meta.Put(b, id, st)
	})
	if err != nil {
		return Device{}, fmt.Errorf("devices: device %s: %w", id, err)
	}
	return st.Device, nil
}
