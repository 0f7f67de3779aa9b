// Package buildinfo reports which build of edgefleet is running. The
// Makefile stamps Version and Commit with -ldflags -X; a plain `go build`
// leaves the defaults and the commit is read from the VCS stamp when Go
// recorded one.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the semantic version, set at link time.
var Version = "0.1.0-dev"

// Commit is the git commit, set at link time.
var Commit = ""

// Info is the build description of the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Get returns the running binary's build information.
func Get() Info {
	commit := Commit
	if commit == "" {
		commit = vcsRevision()
	}
	return Info{Version: Version, Commit: commit, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// String formats the build information on one line, e.g.
// "edgefleet 0.1.0 (commit abc123, go1.26.8, linux/arm64)".
func String() string {
	i := Get()
	return fmt.Sprintf("edgefleet %s (commit %s, %s, %s/%s)", i.Version, i.Commit, i.GoVersion, i.OS, i.Arch)
}

func vcsRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
