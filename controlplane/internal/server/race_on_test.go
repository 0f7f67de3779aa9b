//go:build race

package server

// raceEnabled: the race detector multiplies a process's memory use, so
// memory figures measured under it mean nothing.
const raceEnabled = true
