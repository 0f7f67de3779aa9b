// Package labels validates device labels and parses the label selectors
// operators use to pick devices: "site=berlin,tier!=lab,camera,!retired".
package labels

import (
	"fmt"
	"sort"
	"strings"
)

// Limits on labels.
const (
	MaxKeyLen   = 63
	MaxValueLen = 63
	MaxLabels   = 64
)

// Validate checks every key and value of set.
func Validate(set map[string]string) error {
	if len(set) > MaxLabels {
		return fmt.Errorf("labels: %d labels, limit %d", len(set), MaxLabels)
	}
	for k, v := range set {
		if err := validateKey(k); err != nil {
			return err
		}
		if err := validateValue(k, v); err != nil {
			return err
		}
	}
	return nil
}

func validateKey(k string) error {
	if k == "" || len(k) > MaxKeyLen {
		return fmt.Errorf("labels: key %q: length %d, want 1..%d", k, len(k), MaxKeyLen)
	}
	if !allowed(k, "._/-") {
		return fmt.Errorf("labels: key %q: allowed characters are A-Z a-z 0-9 . _ / -", k)
	}
	return nil
}

func validateValue(k, v string) error {
	if len(v) > MaxValueLen {
		return fmt.Errorf("labels: value of %q: length %d, limit %d", k, len(v), MaxValueLen)
	}
	if !allowed(v, "._-") {
		return fmt.Errorf("labels: value %q of %q: allowed characters are A-Z a-z 0-9 . _ -", v, k)
	}
	return nil
}

func allowed(s, extra string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(extra, c)) {
			return false
		}
	}
	return true
}

// op is one requirement's comparison.
type op int

const (
	opEq op = iota
	opNe
	opExists
	opAbsent
)

type requirement struct {
	key, value string
	op         op
}

// Selector is a conjunction of label requirements; the zero Selector
// matches everything.
type Selector struct {
	reqs []requirement
	text string
}

// Parse reads a comma-separated selector. Each term is key=value
// (or key==value), key!=value, key (label present) or !key (absent).
func Parse(s string) (Selector, error) {
	sel := Selector{text: s}
	if strings.TrimSpace(s) == "" {
		return sel, nil
	}
	for _, term := range strings.Split(s, ",") {
		term = strings.TrimSpace(term)
		var r requirement
		switch {
		case strings.Contains(term, "!="):
			r.key, r.value, _ = strings.Cut(term, "!=")
			r.op = opNe
		case strings.Contains(term, "=="):
			r.key, r.value, _ = strings.Cut(term, "==")
		case strings.Contains(term, "="):
			r.key, r.value, _ = strings.Cut(term, "=")
		case strings.HasPrefix(term, "!"):
			r.key, r.op = term[1:], opAbsent
		default:
			r.key, r.op = term, opExists
		}
		r.key, r.value = strings.TrimSpace(r.key), strings.TrimSpace(r.value)
		if err := validateKey(r.key); err != nil {
			return Selector{}, fmt.Errorf("selector %q: term %q: %w", s, term, err)
		}
		if err := validateValue(r.key, r.value); err != nil {
			return Selector{}, fmt.Errorf("selector %q: term %q: %w", s, term, err)
		}
		sel.reqs = append(sel.reqs, r)
	}
	return sel, nil
}

// Matches reports whether set satisfies every requirement. A != term
// matches devices that lack the key, as in Kubernetes.
func (s Selector) Matches(set map[string]string) bool {
	for _, r := range s.reqs {
		v, ok := set[r.key]
		switch r.op {
		case opEq:
			if !ok || v != r.value {
				return false
			}
		case opNe:
			if ok && v == r.value {
				return false
			}
		case opExists:
			if !ok {
				return false
			}
		case opAbsent:
			if ok {
				return false
			}
		}
	}
	return true
}

// String returns the selector as parsed.
func (s Selector) String() string { return s.text }

// Format renders a label set as sorted "k=v,k=v".
func Format(set map[string]string) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + set[k]
	}
	return strings.Join(parts, ",")
}
