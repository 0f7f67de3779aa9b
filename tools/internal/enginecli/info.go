package enginecli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgefleet/edgefleet/tflite"
)

// ModelInfo is what `tflite info --json` prints.
type ModelInfo struct {
	Path        string          `json:"path"`
	Bytes       int             `json:"bytes"`
	SHA256      string          `json:"sha256"`
	Description string          `json:"description,omitempty"`
	Inputs      []TensorInfo    `json:"inputs"`
	Outputs     []TensorInfo    `json:"outputs"`
	NumOps      int             `json:"num_ops"`
	Ops         []OpCount       `json:"ops"`
	ArenaBytes  int             `json:"arena_bytes"`
	Signatures  []SignatureInfo `json:"signatures,omitempty"`
}

// TensorInfo describes a graph input or output.
type TensorInfo struct {
	Name      string  `json:"name"`
	DType     string  `json:"dtype"`
	Shape     []int   `json:"shape"`
	Bytes     int     `json:"bytes"`
	Scale     float32 `json:"scale,omitempty"`
	ZeroPoint int32   `json:"zero_point"`
	// Scales is set only for per-axis quantization.
	Scales       []float32 `json:"scales,omitempty"`
	QuantizedDim int       `json:"quantized_dim,omitempty"`
}

// OpCount counts the operators of one kind and version.
type OpCount struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	Count   int    `json:"count"`
}

// SignatureInfo is one signature: names mapped to input/output positions.
type SignatureInfo struct {
	Key     string         `json:"key"`
	Inputs  map[string]int `json:"inputs"`
	Outputs map[string]int `json:"outputs"`
}

func newInfoCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info MODEL",
		Short: "Describe a model: inputs, outputs, operators, arena size, signatures",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			info, err := describe(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			return printInfo(cmd.OutOrStdout(), info)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	return cmd
}

// describe loads a model and summarises it.
func describe(path string) (*ModelInfo, error) {
	m, buf, err := loadModel(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf)
	info := &ModelInfo{
		Path:        path,
		Bytes:       len(buf),
		SHA256:      hex.EncodeToString(sum[:]),
		Description: m.Description(),
		Inputs:      tensorInfos(m.Inputs()),
		Outputs:     tensorInfos(m.Outputs()),
		NumOps:      len(m.Ops()),
		Ops:         countOps(m.Ops()),
		ArenaBytes:  m.ArenaSize(),
	}
	for _, s := range m.Signatures() {
		info.Signatures = append(info.Signatures, SignatureInfo{Key: s.Key, Inputs: s.Inputs, Outputs: s.Outputs})
	}
	return info, nil
}

func tensorInfos(in []tflite.TensorInfo) []TensorInfo {
	out := make([]TensorInfo, len(in))
	for i, t := range in {
		n := t.Type.Size()
		for _, d := range t.Shape {
			n *= d
		}
		out[i] = TensorInfo{Name: t.Name, DType: t.Type.String(), Shape: t.Shape, Bytes: n, Scale: t.Scale, ZeroPoint: t.ZeroPoint}
		if len(t.Scales) > 1 {
			out[i].Scales, out[i].QuantizedDim = t.Scales, t.QuantizedDim
		}
	}
	return out
}

// countOps groups operators by name and version, most frequent first.
func countOps(ops []tflite.OpInfo) []OpCount {
	var out []OpCount
	for _, op := range ops {
		i := slices.IndexFunc(out, func(c OpCount) bool { return c.Name == op.Name && c.Version == op.Version })
		if i < 0 {
			out = append(out, OpCount{Name: op.Name, Version: op.Version})
			i = len(out) - 1
		}
		out[i].Count++
	}
	slices.SortStableFunc(out, func(a, b OpCount) int { return b.Count - a.Count })
	return out
}

func printInfo(w io.Writer, info *ModelInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "model:       %s (%d bytes, sha256 %s)\n", info.Path, info.Bytes, info.SHA256)
	if info.Description != "" {
		fmt.Fprintf(&b, "description: %s\n", info.Description)
	}
	fmt.Fprintf(&b, "arena:       %d bytes\n", info.ArenaBytes)
	for _, side := range []struct {
		name string
		ts   []TensorInfo
	}{{"input", info.Inputs}, {"output", info.Outputs}} {
		for i, t := range side.ts {
			fmt.Fprintf(&b, "%-12s %q %s %v", fmt.Sprintf("%s %d:", side.name, i), t.Name, t.DType, t.Shape)
			switch {
			case len(t.Scales) > 0:
				fmt.Fprintf(&b, " per-axis(dim %d, %d scales)", t.QuantizedDim, len(t.Scales))
			case t.Scale != 0:
				fmt.Fprintf(&b, " scale %g zero_point %d", t.Scale, t.ZeroPoint)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "ops:         %d\n", info.NumOps)
	for _, c := range info.Ops {
		fmt.Fprintf(&b, "  %-24s v%d  x%d\n", c.Name, c.Version, c.Count)
	}
	for _, s := range info.Signatures {
		fmt.Fprintf(&b, "signature:   %q inputs %v outputs %v\n", s.Key, sortedKeys(s.Inputs), sortedKeys(s.Outputs))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
