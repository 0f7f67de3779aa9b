// Package modelgen writes the project's standard generated test models
// (built with tflite/builder) into a directory, for agent and control-plane
// tests and demos that must run without the shared third-party models.
package modelgen

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgefleet/edgefleet/tflite/builder"
)

// Spec is one standard model.
type Spec struct {
	// File is the model's file name inside the output directory.
	File string
	// Summary says what the model is, for --list.
	Summary string
	// Build returns the model bytes for a seed.
	Build func(seed uint64) ([]byte, error)
}

// Specs returns the standard models in a fixed order.
func Specs() []Spec {
	return []Spec{
		{"tiny.tflite", "int8 FULLY_CONNECTED 8→4 + SOFTMAX classifier, input int8 [1,8]", builder.TinyClassifier},
		{"tiny_float.tflite", "float32 version of tiny.tflite", builder.TinyClassifierFloat},
		{"tiny_uint8.tflite", "legacy uint8 version of tiny.tflite", builder.TinyClassifierUint8},
		{"conv_int8.tflite", "int8 CONV_2D/DEPTHWISE/AVERAGE_POOL/RESHAPE/FC/SOFTMAX net, input int8 [1,8,8,1]", builder.SmallConvNet},
	}
}

// Write builds every standard model with seed and writes it into dir
// (created if missing), returning the written paths.
func Write(dir string, seed uint64) ([]string, error) {
	if dir == "" {
		return nil, fmt.Errorf("modelgen: no output directory given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("modelgen: %w", err)
	}
	var paths []string
	for _, s := range Specs() {
		buf, err := s.Build(seed)
		if err != nil {
			return paths, fmt.Errorf("modelgen: building %s: %w", s.File, err)
		}
		p := filepath.Join(dir, s.File)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			return paths, fmt.Errorf("modelgen: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
