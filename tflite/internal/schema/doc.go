// Package schema holds the Go accessors that flatc generates from TFLite's
// flatbuffer schema (shared/spec/tflite_schema.fbs). Regenerate with
// `go generate` here or `make flatbuffers`; never edit the generated files.
package schema

//go:generate ./gen.sh
