package runtime

import (
	"context"
	"errors"
)

// Errors returned by Acquire and Infer, matched with errors.Is.
var (
	// ErrUnknownModel: no version of the model is loaded.
	ErrUnknownModel = errors.New("model not loaded")
	// ErrVersionNotActive: the request named a version other than the
	// active one.
	ErrVersionNotActive = errors.New("model version not active")
	// ErrQueueFull: the pool is busy and the queue is full; retry later.
	ErrQueueFull = errors.New("model queue full")
	// ErrTimeout: the request's context ended while it waited or ran.
	ErrTimeout = errors.New("inference timed out")
	// ErrBadInput: the raw inputs do not match the model (count or size).
	ErrBadInput = errors.New("bad input")
	// ErrInvoke: the interpreter failed.
	ErrInvoke = errors.New("inference failed")
)

// ErrorKind classifies an Infer error for metrics and telemetry: "" for
// success, otherwise "queue_full", "timeout", "bad_input", "invoke" or
// "other".
func ErrorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrQueueFull):
		return "queue_full"
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	case errors.Is(err, ErrBadInput):
		return "bad_input"
	case errors.Is(err, ErrInvoke):
		return "invoke"
	}
	return "other"
}
