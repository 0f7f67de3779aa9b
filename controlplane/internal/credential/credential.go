// Package credential makes and checks the control plane's bearer secrets
// (API tokens, device credentials). Secrets carry 256 random bits, so a
// plain SHA-256 of them is a safe stored form: there is nothing to
// brute-force, and a slow password hash would only cost every request.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// New returns a fresh secret: prefix followed by 43 URL-safe characters.
// The prefix (e.g. "edc_") tells humans and secret scanners what it is.
func New(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash returns the stored form of secret.
func Hash(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

// Match reports, in constant time, whether secret hashes to stored.
func Match(secret, stored string) bool {
	h := Hash(secret)
	return subtle.ConstantTimeCompare([]byte(h), []byte(stored)) == 1
}

// RandomID returns n random bytes hex-encoded, for record ids.
func RandomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
