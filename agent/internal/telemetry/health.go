package telemetry

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

// HealthSource reads the device's health from Linux's /proc and /sys. Root
// is "/" on a device; tests point it at a fake tree.
type HealthSource struct {
	Root    string // filesystem root holding proc/ and sys/
	DataDir string // where free disk space is measured
}

// Read returns the current health. Missing sources leave their fields zero
// (and the temperature absent) rather than failing: a device without a
// thermal zone is still healthy.
func (h HealthSource) Read() *telemetryv1.Health {
	root := h.Root
	if root == "" {
		root = "/"
	}
	out := &telemetryv1.Health{}
	if b, err := os.ReadFile(filepath.Join(root, "proc/loadavg")); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			out.CpuLoad1, _ = strconv.ParseFloat(f[0], 64)
		}
	}
	if f, err := os.Open(filepath.Join(root, "proc/meminfo")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 {
				continue
			}
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			switch fields[0] {
			case "MemTotal:":
				out.MemTotalBytes = kb * 1024
			case "MemAvailable:":
				out.MemAvailableBytes = kb * 1024
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile(filepath.Join(root, "proc/uptime")); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			up, _ := strconv.ParseFloat(f[0], 64)
			out.UptimeSeconds = uint64(up)
		}
	}
	if b, err := os.ReadFile(filepath.Join(root, "sys/class/thermal/thermal_zone0/temp")); err == nil {
		if milli, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64); err == nil {
			c := milli / 1000
			out.TemperatureC = &c
		}
	}
	if h.DataDir != "" {
		var st syscall.Statfs_t
		if err := syscall.Statfs(h.DataDir, &st); err == nil {
			out.DiskFreeBytes = uint64(st.Bavail) * uint64(st.Bsize)
		}
	}
	return out
}
