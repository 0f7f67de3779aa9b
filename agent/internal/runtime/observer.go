package runtime

import (
	"time"

	"github.com/edgefleet/edgefleet/proto/inference"
)

// Event describes one finished inference (successful or not).
type Event struct {
	Model   string
	Version string
	SHA256  string
	// Start is when Infer was called.
	Start time.Time
	// Queued is the wait for a free interpreter; Invoke the interpreter's
	// run; Latency everything inside Infer.
	Queued  time.Duration
	Invoke  time.Duration
	Latency time.Duration
	// Cached is set when the memoization cache answered.
	Cached bool
	// Err is the failure, nil on success; ErrorKind classifies it.
	Err error
	// Inputs and Outputs are the raw tensors (little-endian, C order),
	// described by InputSpecs and OutputSpecs (names, dtypes, shapes,
	// quantization). They are shared with the caller and the cache:
	// observers must not modify or keep them past the call. Outputs is nil
	// when the inference failed.
	Inputs, Outputs         [][]byte
	InputSpecs, OutputSpecs []inference.TensorSpec
}

// Observer receives every inference event, synchronously on the request's
// goroutine, so implementations must be fast and safe for concurrent use
// (aggregate, do not do I/O).
type Observer interface {
	Observe(Event)
}

// Observers fans one event out to several observers.
type Observers []Observer

// Observe calls every observer in order.
func (o Observers) Observe(e Event) {
	for _, x := range o {
		x.Observe(e)
	}
}
