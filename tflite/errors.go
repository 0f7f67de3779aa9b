package tflite

import (
	"errors"

	"github.com/edgefleet/edgefleet/tflite/internal/kernel"
)

// ErrInvalidModel marks a model file that is malformed or inconsistent:
// a broken flatbuffer, indices out of range, wrong buffer sizes, a graph
// that reads a tensor before any op writes it. It is the kernels' own
// ErrInvalid, so operator argument errors match it too.
var ErrInvalidModel = kernel.ErrInvalid

// ErrUnsupported marks a well-formed model that this engine cannot run: a
// custom or unknown operator, an element type or option an operator does
// not implement. It is the kernels' own ErrUnsupported.
var ErrUnsupported = kernel.ErrUnsupported

// ErrMemoryLimit reports that an interpreter's arena would exceed
// Options.MemoryLimit.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// errPanic marks an error recovered from a panic inside the engine. It
// always signals a bug (the loader and kernels must return errors instead);
// tests and fuzz targets fail on it.
var errPanic = errors.New("internal error")
