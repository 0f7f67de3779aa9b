module github.com/edgefleet/edgefleet/tflite

go 1.26

require (
	github.com/edgefleet/edgefleet/proto v0.0.0-00010101000000-000000000000
	github.com/google/flatbuffers v25.12.19+incompatible // indirect
)

replace github.com/edgefleet/edgefleet/proto => ../proto
