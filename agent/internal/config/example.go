package config

import _ "embed"

//go:embed example.yaml
var example string

// Example returns a commented configuration file that sets every key to its
// default (data_dir, which has none, to the conventional path).
func Example() string { return example }
