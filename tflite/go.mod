module github.com/edgefleet/edgefleet/tflite

go 1.26.0

require (
	github.com/google/flatbuffers v25.12.19+incompatible
	golang.org/x/sys v0.48.0
)

replace github.com/edgefleet/edgefleet/proto => ../proto
