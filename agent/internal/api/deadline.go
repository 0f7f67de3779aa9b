package api

import (
	"context"
	"sync"
	"time"
)

// timeoutContext is context.WithTimeout for one inference, shaped for the
// common case that never blocks. context.WithTimeout arms a timer and
// registers with its parent on every request; this context does so only
// when something asks for Done, which the runtime does only to wait for a
// busy interpreter. Err, all the interpreter calls between operators,
// reads the clock and the parent.
type timeoutContext struct {
	context.Context // the parent: values and cancellation
	deadline        time.Time
	// closed is a closed channel Done returns once released.
	closed <-chan struct{}

	once   sync.Once
	done   <-chan struct{}
	cancel context.CancelFunc
}

func newTimeoutContext(parent context.Context, timeout time.Duration, closed <-chan struct{}) *timeoutContext {
	deadline := time.Now().Add(timeout)
	if d, ok := parent.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return &timeoutContext{Context: parent, deadline: deadline, closed: closed}
}

// Deadline implements context.Context.
func (c *timeoutContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done implements context.Context, arming the timer on first use.
func (c *timeoutContext) Done() <-chan struct{} {
	c.once.Do(func() {
		ctx, cancel := context.WithDeadline(c.Context, c.deadline)
		c.done, c.cancel = ctx.Done(), cancel
	})
	return c.done
}

// Err implements context.Context.
func (c *timeoutContext) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// release ends the context like a CancelFunc: the timer, if armed, stops,
// and Done is closed from then on.
func (c *timeoutContext) release() {
	c.once.Do(func() { c.done = c.closed })
	if c.cancel != nil {
		c.cancel()
	}
}
