// Package auth holds the control plane's API tokens: roles, hashed storage
// in the metadata database, bootstrap of the first admin token, and
// authentication of a presented bearer token.
package auth

import "fmt"

// Role is what a token may do. Roles are ordered: each includes the ones
// below it.
type Role string

// The three roles.
const (
	// Viewer reads everything except tokens.
	Viewer Role = "viewer"
	// Operator also publishes models and runs rollouts.
	Operator Role = "operator"
	// Admin also manages tokens and devices.
	Admin Role = "admin"
)

func (r Role) rank() int {
	switch r {
	case Viewer:
		return 1
	case Operator:
		return 2
	case Admin:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a token of role r may act where need is required.
func (r Role) Allows(need Role) bool { return r.rank() >= need.rank() && need.Valid() }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("role %q: want admin, operator or viewer", s)
	}
	return r, nil
}
