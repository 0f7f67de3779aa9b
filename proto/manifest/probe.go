package manifest

import (
	"crypto/sha256"
	"encoding/hex"
)

// ProbeDigest is the hex sha256 of all outputs' raw bytes concatenated in
// order: the value Probe.OutputSHA256 must equal.
func ProbeDigest(outputs [][]byte) string {
	h := sha256.New()
	for _, o := range outputs {
		h.Write(o)
	}
	return hex.EncodeToString(h.Sum(nil))
}
