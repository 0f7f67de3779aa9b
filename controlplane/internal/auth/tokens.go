package auth

import (
	"context"
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

// Bootstrap creates the first admin token when no token exists yet and
// writes its secret to path with mode 0600. It returns whether it did.
// The secret goes only to the file, never to logs.
func (s *Store) Bootstrap(ctx context.Context, path string) (bool, error) {
	empty := false
	err := s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket([]byte(Bucket)).Cursor().First()
		empty = k == nil
		return nil
	})
	if err != nil || !empty {
		return false, err
	}
	_, secret, err := s.Create(ctx, "bootstrap admin", Admin)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("auth: write admin token: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return false, fmt.Errorf("auth: write admin token: %w", err)
	}
	return true, nil
}
