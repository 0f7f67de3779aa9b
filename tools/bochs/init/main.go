//go:build linux

// Command init is the /init of the initramfs that tools/bochs/run boots in
// Bochs. It mounts /proc, /sys and /dev, runs the program that
// /bochs-init.json names with the console as its stdout and stderr, prints
//
//	BOCHS-EXIT: <code>
//
// (128+N when a signal N killed the program, 127 when it did not start) and
// powers the machine off, which ends Bochs. Build it with CGO_ENABLED=0: it
// runs before anything else exists in the guest.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/cpu"
	"golang.org/x/sys/unix"
)

// configPath is where tools/bochs/run puts the run's configuration.
const configPath = "/bochs-init.json"

// startMarker tells tools/bochs/run that the guest has booted; exitMarker
// starts the line that tells it the exit status. It removes both from the
// output.
const (
	startMarker = "BOCHS-START"
	exitMarker  = "BOCHS-EXIT: "
)

// baseEnv is the program's environment before the configured additions,
// which override it.
//
// GODEBUG keeps the Go runtime itself off AVX-512. Bochs 2.7 computes
// GF2P8AFFINEQB wrongly (the identity matrix returns the complement of its
// input), and Go's garbage collector expands its mark bits with it on CPUs
// with AVX-512 and GFNI, so a Go program's heap gets corrupted ("fatal error:
// found pointer to free object"; internal/runtime/gc/scan's TestExpandAVX512
// fails). Turning off CD and DQ is enough: the runtime's AVX-512 flag needs
// F, CD, BW, DQ and VL, and the scan kernels need DQ.
// golang.org/x/sys/cpu reads the same GODEBUG, so the features the engine's
// VNNI kernels check (AVX512F, AVX512VL, AVX512_VNNI: ymm registers only)
// must stay on. A configured GODEBUG is appended to this one, so its
// settings win.
var baseEnv = []string{
	"PATH=/bin",
	"HOME=/root",
	"TMPDIR=/tmp",
	"GODEBUG=" + godebugNoAVX512,
}

const godebugNoAVX512 = "cpu.avx512cd=off,cpu.avx512dq=off"

// environ returns the program's environment: baseEnv with the configured
// K=V added, replacing a base K=V except for GODEBUG, whose configured
// settings follow the base ones.
func environ(extra []string) []string {
	env := append([]string{}, baseEnv...)
	for _, kv := range extra {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok && v != "" {
			kv = "GODEBUG=" + godebugNoAVX512 + "," + v
		}
		env = append(env, kv) // os/exec keeps the last of duplicate keys
	}
	return env
}

// config is the run's configuration, written by tools/bochs/run.
type config struct {
	Args    []string `json:"args"`    // program path inside the initramfs, then its arguments
	Env     []string `json:"env"`     // K=V added to the base environment
	Dir     string   `json:"dir"`     // working directory; "/" when empty
	CPUInfo bool     `json:"cpuinfo"` // print the CPU features Go sees before running
}

func main() {
	code := run()
	fmt.Printf("%s%d\n", exitMarker, code)
	drain(os.Stdout)
	syscall.Sync()
	// Powering off needs ACPI (Bochs' acpi device); Bochs then exits.
	err := syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	fmt.Fprintf(os.Stderr, "init: power off: %v\n", err)
	for {
		time.Sleep(time.Hour)
	}
}

// run prepares the guest and runs the configured program, returning the exit
// status to report.
func run() int {
	mounts := []struct{ fstype, target string }{
		{"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"},
	}
	for _, m := range mounts {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "init: %v\n", err)
		}
		if err := syscall.Mount(m.fstype, m.target, m.fstype, 0, ""); err != nil && !errors.Is(err, syscall.EBUSY) {
			fmt.Fprintf(os.Stderr, "init: mount %s on %s: %v\n", m.fstype, m.target, err)
		}
	}
	if err := os.MkdirAll("/tmp", 0o1777); err != nil {
		fmt.Fprintf(os.Stderr, "init: %v\n", err)
	}
	fmt.Println(startMarker)

	data, err := os.ReadFile(configPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "init: %v\n", err)
		return 127
	}
	cfg, err := parseConfig(data)
	if err != nil {
		fmt.Fprintf(os.Stderr, "init: %s: %v\n", configPath, err)
		return 127
	}
	if cfg.CPUInfo {
		printCPUInfo()
	}

	cmd := exec.Command(cfg.Args[0], cfg.Args[1:]...)
	cmd.Dir = cfg.Dir
	cmd.Env = environ(cfg.Env)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return exitCode(cmd.Run())
}

// parseConfig decodes and checks the run's configuration.
func parseConfig(data []byte) (config, error) {
	var cfg config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, err
	}
	if len(cfg.Args) == 0 || cfg.Args[0] == "" {
		return cfg, errors.New("no program to run")
	}
	if cfg.Dir == "" {
		cfg.Dir = "/"
	}
	return cfg, nil
}

// exitCode turns the result of exec.Cmd.Run into a shell-style exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "init: %v\n", err)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintln(os.Stderr, "init: (a dynamically linked program fails so: the guest has no libraries; build with CGO_ENABLED=0)")
		}
		return 127
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		fmt.Fprintf(os.Stderr, "init: program killed by %v\n", ws.Signal())
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

// drain waits until the console has sent everything written to it: powering
// off right after the last write would cut the output short.
func drain(f *os.File) {
	// TCSBRK with a nonzero argument is tcdrain.
	if err := unix.IoctlSetInt(int(f.Fd()), unix.TCSBRK, 1); err != nil {
		fmt.Fprintf(os.Stderr, "init: drain console: %v\n", err)
	}
}

// printCPUInfo prints the x86 features that golang.org/x/sys/cpu reports,
// which include the operating system's support for the AVX and AVX-512
// register state.
func printCPUInfo() {
	x := cpu.X86
	for _, f := range []struct {
		name string
		on   bool
	}{
		{"AVX2", x.HasAVX2}, {"FMA", x.HasFMA},
		{"AVX512F", x.HasAVX512F}, {"AVX512BW", x.HasAVX512BW},
		{"AVX512VL", x.HasAVX512VL}, {"AVX512VNNI", x.HasAVX512VNNI},
		{"AVXVNNI", x.HasAVXVNNI},
	} {
		fmt.Printf("cpu: X86.Has%s=%v\n", f.name, f.on)
	}
}
