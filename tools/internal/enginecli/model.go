package enginecli

import (
	"fmt"
	"os"

	"github.com/edgefleet/edgefleet/tflite"
)

// loadModel reads and loads a .tflite file.
func loadModel(path string) (*tflite.Model, []byte, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := tflite.Load(buf)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, buf, nil
}

// newInterpreter loads a model and makes an interpreter for it.
func newInterpreter(path string, opts tflite.Options) (*tflite.Interpreter, error) {
	m, _, err := loadModel(path)
	if err != nil {
		return nil, err
	}
	it, err := tflite.NewInterpreter(m, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return it, nil
}
