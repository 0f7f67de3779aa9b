package tflite

import (
	"slices"
	"time"
)

// OpProfile is the time one operator of the execution plan took, summed
// over the Invokes since profiling started (see Options.Profile).
type OpProfile struct {
	Index   int           // operator index in subgraph 0
	Op      string        // builtin name, e.g. "CONV_2D"
	Invokes int           // Invokes that ran this operator
	Total   time.Duration // time spent in it over those Invokes
}

// Profile returns the per-operator times in execution order, or nil when
// the interpreter was created without Options.Profile. The slice is a
// copy; the interpreter keeps counting.
func (it *Interpreter) Profile() []OpProfile {
	return slices.Clone(it.profile)
}

// ResetProfile sets every operator's count and time back to zero, e.g.
// after warm-up runs.
func (it *Interpreter) ResetProfile() {
	for i := range it.profile {
		it.profile[i].Invokes, it.profile[i].Total = 0, 0
	}
}

// newProfile lays out one entry per executed operator.
func newProfile(m *Model) []OpProfile {
	p := make([]OpProfile, len(m.exec))
	for i := range m.exec {
		p[i] = OpProfile{Index: m.exec[i].index, Op: opName(m.exec[i].code)}
	}
	return p
}
