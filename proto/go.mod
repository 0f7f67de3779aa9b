module github.com/edgefleet/edgefleet/proto

go 1.26

require (
	github.com/planetscale/vtprotobuf v0.6.0
	github.com/spf13/pflag v1.1.0
	google.golang.org/protobuf v1.36.12
)
