package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/edgefleet/edgefleet/controlplane/internal/credential"
	"github.com/edgefleet/edgefleet/controlplane/internal/meta"
)

// Bucket is the metadata bucket holding tokens.
const Bucket = "tokens"

// tokenPrefix marks edgefleet API tokens; the id follows, then the secret.
const tokenPrefix = "eft_"

// ErrUnauthenticated reports a missing, malformed, unknown or revoked token.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrNotFound reports an unknown token id.
var ErrNotFound = meta.ErrNotFound

// MaxNameLen bounds a token's descriptive name.
const MaxNameLen = 128

// Token is a stored API token; the secret itself is never stored.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// stored is the on-disk form, which keeps the hash the API form hides.
type stored struct {
	Token
	Hash string `json:"hash"`
}

// Store manages tokens in the metadata database.
type Store struct {
	db  *bolt.DB
	now func() time.Time
}

// NewStore returns a token store on db, whose Bucket must exist.
func NewStore(db *meta.DB) *Store { return &Store{db: db.Bolt(), now: time.Now} }

// Create makes a token and returns it with its secret, shown only once.
func (s *Store) Create(_ context.Context, name string, role Role) (Token, string, error) {
	if !role.Valid() {
		return Token{}, "", fmt.Errorf("role %q: want admin, operator or viewer", role)
	}
	if len(name) > MaxNameLen {
		return Token{}, "", fmt.Errorf("name is %d bytes, limit %d", len(name), MaxNameLen)
	}
	id := credential.RandomID(6)
	secret := tokenPrefix + id + "_" + credential.New("")
	t := Token{ID: id, Name: name, Role: role, CreatedAt: s.now().UTC()}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return meta.Put(tx.Bucket([]byte(Bucket)), id, stored{Token: t, Hash: credential.Hash(secret)})
	})
	if err != nil {
		return Token{}, "", fmt.Errorf("auth: create token: %w", err)
	}
	return t, secret, nil
}

// List returns one page of tokens, revoked ones included.
func (s *Store) List(_ context.Context, page meta.Page) ([]Token, string, error) {
	out := []Token{}
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		next, err = meta.Scan(tx.Bucket([]byte(Bucket)), "", page, func(k, _ []byte) (bool, error) {
			var st stored
			if err := meta.Get(tx.Bucket([]byte(Bucket)), string(k), &st); err != nil {
				return false, err
			}
			out = append(out, st.Token)
			return true, nil
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("auth: list tokens: %w", err)
	}
	return out, next, nil
}

// Revoke marks a token revoked; revoking twice is harmless.
func (s *Store) Revoke(_ context.Context, id string) (Token, error) {
	var t Token
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(Bucket))
		var st stored
		if err := meta.Get(b, id, &st); err != nil {
			return err
		}
		if st.RevokedAt == nil {
			now := s.now().UTC()
			st.RevokedAt = &now
		}
		t = st.Token
		return meta.Put(b, id, st)
	})
	if err != nil {
		return Token{}, fmt.Errorf("auth: revoke token %q: %w", id, err)
	}
	return t, nil
}

// Authenticate resolves a presented secret to its live token.
func (s *Store) Authenticate(_ context.Context, secret string) (Token, error) {
	rest, ok := strings.CutPrefix(secret, tokenPrefix)
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || id == "" {
		return Token{}, fmt.Errorf("%w: token is not an edgefleet token (eft_…)", ErrUnauthenticated)
	}
	var st stored
	err := s.db.View(func(tx *bolt.Tx) error { return meta.Get(tx.Bucket([]byte(Bucket)), id, &st) })
	if errors.Is(err, meta.ErrNotFound) || (err == nil && !credential.Match(secret, st.Hash)) {
		return Token{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return Token{}, fmt.Errorf("auth: look up token: %w", err)
	}
	if st.RevokedAt != nil {
		return Token{}, fmt.Errorf("%w: token %s was revoked", ErrUnauthenticated, id)
	}
	return st.Token, nil
}

// bootstrapName names the token Bootstrap creates.
const bootstrapName = "bootstrap admin"

// Bootstrap makes sure an operator can reach the API on a new install: when
// no token other than the bootstrap one exists and the admin token file at
// path is missing (first start, or a crash between creating the token and
// writing the file), it revokes any earlier bootstrap token, creates a new
// admin token and writes it to path (0600) with an atomic rename. It reports
// whether it issued a token.
func (s *Store) Bootstrap(ctx context.Context, path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	}
	var stale []string
	real := false
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(Bucket)).ForEach(func(_, v []byte) error {
			var st stored
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			switch {
			case st.Name != bootstrapName:
				real = true
			case st.RevokedAt == nil:
				stale = append(stale, st.ID)
			}
			return nil
		})
	})
	if err != nil || real {
		return false, err
	}
	for _, id := range stale {
		if _, err := s.Revoke(ctx, id); err != nil {
			return false, err
		}
	}
	_, secret, err := s.Create(ctx, bootstrapName, Admin)
	if err != nil {
		return false, err
	}
	if err := writeSecretFile(path, secret+"\n"); err != nil {
		return false, fmt.Errorf("auth: write admin token: %w", err)
	}
	return true, nil
}

// writeSecretFile writes a 0600 file atomically: a synced temporary file
// renamed into place, then the directory synced.
func writeSecretFile(path, content string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".admin.token-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
