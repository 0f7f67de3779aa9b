package manifest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current encoding")

// testKey derives a fixed key so golden signatures are stable.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func sample() Manifest {
	return Manifest{
		Name:    "person",
		Version: "3",
		SHA256:  strings.Repeat("ab", 32),
		Size:    1234,
		Inputs:  []TensorSpec{{Name: "in<put>", DType: "int8", Shape: []int{1, 4}, Scale: 0.0078125, ZeroPoint: -128}},
		Outputs: []TensorSpec{{Name: "out", DType: "float32", Shape: []int{1, 2}}},
		Ops:     []string{"FULLY_CONNECTED", "SOFTMAX"},
		// A non-UTC zone and nanoseconds exercise the time rule.
		CreatedAt:  time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.FixedZone("X", 3600)),
		ArenaBytes: 4096,
		Probe:      &Probe{Inputs: [][]byte{{1, 2, 3, 0xff}}, OutputSHA256: strings.Repeat("0f", 32)},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s changed:\n got %s\nwant %s", name, got, want)
	}
}

func TestCanonicalGolden(t *testing.T) {
	m := sample()
	c, err := m.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "canonical.golden", c)
	s, err := Sign(m, testKey(7))
	if err != nil {
		t.Fatal(err)
	}
	// ed25519 is deterministic, so the signed document is pinned too.
	doc, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "signed.golden.json", doc)
}

func TestCanonicalNormalizes(t *testing.T) {
	base := sample()
	base.Ops = nil
	want, err := base.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(m *Manifest){
		"empty ops":       func(m *Manifest) { m.Ops = []string{} },
		"utc time":        func(m *Manifest) { m.CreatedAt = m.CreatedAt.UTC() },
		"monotonic clock": func(m *Manifest) { m.CreatedAt = m.CreatedAt.Add(0) },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := base
			mutate(&m)
			got, err := m.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("canonical differs:\n got %s\nwant %s", got, want)
			}
		})
	}
	if bytes.Contains(want, []byte("null")) || bytes.ContainsAny(want, " \n") {
		t.Fatalf("canonical form has null or whitespace: %s", want)
	}
}

func TestSignVerifyRoundTripThroughJSON(t *testing.T) {
	key := testKey(1)
	s, err := Sign(sample(), key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	trusted := []PublicKey{NewPublicKey(testKey(2).Public().(ed25519.PublicKey)), NewPublicKey(key.Public().(ed25519.PublicKey))}
	if err := back.Verify(trusted); err != nil {
		t.Fatalf("verify after JSON round trip: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	key := testKey(1)
	trusted := []PublicKey{NewPublicKey(key.Public().(ed25519.PublicKey))}
	tests := []struct {
		name   string
		mutate func(s *Signed)
		want   error
	}{
		{"name", func(s *Signed) { s.Manifest.Name = "persom" }, ErrBadSignature},
		{"version", func(s *Signed) { s.Manifest.Version = "4" }, ErrBadSignature},
		{"sha256", func(s *Signed) { s.Manifest.SHA256 = strings.Repeat("ac", 32) }, ErrBadSignature},
		{"size", func(s *Signed) { s.Manifest.Size++ }, ErrBadSignature},
		{"input shape", func(s *Signed) {
			s.Manifest.Inputs = []TensorSpec{{Name: "in<put>", DType: "int8", Shape: []int{1, 5}, Scale: 0.0078125, ZeroPoint: -128}}
		}, ErrBadSignature},
		{"output dtype", func(s *Signed) { s.Manifest.Outputs = []TensorSpec{{Name: "out", DType: "int8", Shape: []int{1, 2}}} }, ErrBadSignature},
		{"scale", func(s *Signed) {
			s.Manifest.Inputs = []TensorSpec{{Name: "in<put>", DType: "int8", Shape: []int{1, 4}, Scale: 0.5, ZeroPoint: -128}}
		}, ErrBadSignature},
		{"ops", func(s *Signed) { s.Manifest.Ops = nil }, ErrBadSignature},
		{"arena", func(s *Signed) { s.Manifest.ArenaBytes = 1 }, ErrBadSignature},
		{"created_at", func(s *Signed) { s.Manifest.CreatedAt = s.Manifest.CreatedAt.Add(time.Nanosecond) }, ErrBadSignature},
		{"probe input", func(s *Signed) {
			s.Manifest.Probe = &Probe{Inputs: [][]byte{{1, 2, 3, 0xfe}}, OutputSHA256: strings.Repeat("0f", 32)}
		}, ErrBadSignature},
		{"probe digest", func(s *Signed) {
			s.Manifest.Probe = &Probe{Inputs: [][]byte{{1, 2, 3, 0xff}}, OutputSHA256: strings.Repeat("1f", 32)}
		}, ErrBadSignature},
		{"probe removed", func(s *Signed) { s.Manifest.Probe = nil }, ErrBadSignature},
		{"signature bit", func(s *Signed) { s.Signature = bytes.Clone(s.Signature); s.Signature[10] ^= 1 }, ErrBadSignature},
		{"signature truncated", func(s *Signed) { s.Signature = s.Signature[:63] }, ErrBadSignature},
		{"unsigned", func(s *Signed) { s.Signature = nil; s.KeyID = "" }, ErrUnsigned},
		{"unknown key", func(s *Signed) { *s, _ = Sign(s.Manifest, testKey(9)) }, ErrUnknownKey},
		{"key id swapped", func(s *Signed) { s.KeyID = KeyID(testKey(9).Public().(ed25519.PublicKey)) }, ErrUnknownKey},
		{"invalid field", func(s *Signed) { s.Manifest.SHA256 = "xyz" }, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Sign(sample(), key)
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(&s)
			err = s.Verify(trusted)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyRejectsForgedTrustedKey(t *testing.T) {
	// A trusted-key document that claims the signer's id but holds another
	// key must not verify anything.
	key := testKey(1)
	s, err := Sign(sample(), key)
	if err != nil {
		t.Fatal(err)
	}
	forged := NewPublicKey(testKey(3).Public().(ed25519.PublicKey))
	forged.KeyID = s.KeyID
	if err := s.Verify([]PublicKey{forged}); !errors.Is(err, ErrBadKey) {
		t.Fatalf("Verify with forged key doc = %v, want ErrBadKey", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Manifest)
		want   string // substring of the error; "" means valid
	}{
		{"ok", func(m *Manifest) {}, ""},
		{"no probe", func(m *Manifest) { m.Probe = nil }, ""},
		{"empty name", func(m *Manifest) { m.Name = "" }, "name is empty"},
		{"slash in name", func(m *Manifest) { m.Name = "a/b" }, `name "a/b" has byte '/'`},
		{"dot version", func(m *Manifest) { m.Version = ".." }, "starts with '.'"},
		{"long version", func(m *Manifest) { m.Version = strings.Repeat("v", MaxNameLen+1) }, "limit 128"},
		{"upper hex", func(m *Manifest) { m.SHA256 = strings.Repeat("AB", 32) }, "lower-case"},
		{"short sha", func(m *Manifest) { m.SHA256 = "ab" }, "want 64 hex digits"},
		{"zero size", func(m *Manifest) { m.Size = 0 }, "size 0"},
		{"no time", func(m *Manifest) { m.CreatedAt = time.Time{} }, "created_at"},
		{"negative arena", func(m *Manifest) { m.ArenaBytes = -1 }, "arena_bytes -1"},
		{"no inputs", func(m *Manifest) { m.Inputs = nil }, "inputs is empty"},
		{"bad dtype", func(m *Manifest) { m.Outputs = []TensorSpec{{Name: "o", DType: "int4"}} }, `outputs[0] ("o") dtype "int4"`},
		{"negative dim", func(m *Manifest) { m.Outputs = []TensorSpec{{Name: "o", DType: "int8", Shape: []int{1, -1}}} }, "dimension 1 is -1"},
		{"deep rank", func(m *Manifest) { m.Outputs = []TensorSpec{{Name: "o", DType: "int8", Shape: make([]int, 9)}} }, "rank 9"},
		{"probe arity", func(m *Manifest) { m.Probe.Inputs = nil }, "probe has 0 inputs, the manifest declares 1"},
		{"probe digest", func(m *Manifest) { m.Probe.OutputSHA256 = "" }, "probe.output_sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := sample()
			p := *m.Probe
			m.Probe = &p
			tc.mutate(&m)
			err := m.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

func TestParsePublicKeys(t *testing.T) {
	pub := testKey(4).Public().(ed25519.PublicKey)
	good, err := json.Marshal(NewPublicKey(pub))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		doc   string
		nKeys int
		want  string
	}{
		{"object", string(good), 1, ""},
		{"array", "[" + string(good) + "," + string(good) + "]", 2, ""},
		{"empty array", "[]", 0, "no keys"},
		{"wrong algorithm", strings.Replace(string(good), "ed25519", "rsa", 1), 0, `algorithm "rsa"`},
		{"wrong id", strings.Replace(string(good), KeyID(pub), "0000000000000000", 1), 0, "does not match the key"},
		{"short key", `{"key_id":"x","algorithm":"ed25519","public_key":"AAAA"}`, 0, "public_key is 3 bytes"},
		{"manifest instead", `{"manifest":{}}`, 0, "unknown field"},
		{"not json", `hello`, 0, "invalid character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParsePublicKeys([]byte(tc.doc))
			if tc.want == "" {
				if err != nil || len(keys) != tc.nKeys {
					t.Fatalf("ParsePublicKeys = %d keys, %v; want %d keys", len(keys), err, tc.nKeys)
				}
				return
			}
			if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParsePublicKeys = %v, want ErrBadKey containing %q", err, tc.want)
			}
		})
	}
}

func TestDecodeBareManifestIsUnsigned(t *testing.T) {
	data, err := json.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if s.IsSigned() || s.Manifest.Name != "person" {
		t.Fatalf("Decode(bare) = %+v, want unsigned person", s)
	}
	if err := s.Verify(nil); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Verify = %v, want ErrUnsigned", err)
	}
}

func TestProbeDigest(t *testing.T) {
	// sha256("abc"), split across outputs: the digest is over the
	// concatenation, independent of how it is split.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	for _, parts := range [][][]byte{{[]byte("abc")}, {[]byte("a"), []byte("bc")}, {nil, []byte("ab"), []byte("c")}} {
		if got := ProbeDigest(parts); got != want {
			t.Fatalf("ProbeDigest(%q) = %s, want %s", parts, got, want)
		}
	}
}
