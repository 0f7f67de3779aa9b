package ctl

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/edgefleet/edgefleet/controlplane/internal/client"
	"github.com/edgefleet/edgefleet/controlplane/internal/ingest"
	telemetryv1 "github.com/edgefleet/edgefleet/proto/telemetry/v1"
)

func newTelemetry(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "telemetry", Short: "Read device telemetry: live tail and time ranges"}
	cmd.AddCommand(telemetryTail(g), telemetryShow(g))
	return cmd
}

func telemetryTail(g *globals) *cobra.Command {
	var device, model string
	cmd := &cobra.Command{
		Use:   "tail [--device ID] [--model NAME]",
		Short: "Follow the fleet's telemetry as it arrives (Ctrl-C to stop)",
		Long: `tail prints one line per telemetry window as the control plane ingests it:
device, sequence number, window end, then per model version the requests,
errors, median latency and most frequent output class. With -o json each
line is the batch in the protobuf JSON mapping, for piping into jq.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			path := "/api/v1/telemetry/stream" + client.Query("device", device, "model", model)
			resp, err := c.Do(cmd.Context(), http.MethodGet, path, nil, "", nil)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			return tail(resp.Body, cmd.OutOrStdout(), g.output == "json")
		},
	}
	cmd.Flags().StringVar(&device, "device", "", "only this device")
	cmd.Flags().StringVar(&model, "model", "", "only batches that include this model")
	return cmd
}

// tail copies the stream, formatting each batch for a person unless raw.
func tail(r io.Reader, w io.Writer, raw bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue // keep-alive
		}
		if raw {
			fmt.Fprintln(w, line)
			continue
		}
		var b telemetryv1.Batch
		if err := protojson.Unmarshal([]byte(line), &b); err != nil {
			return fmt.Errorf("undecodable telemetry line: %w", err)
		}
		fmt.Fprintln(w, formatBatch(&b))
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("telemetry stream: %w", err)
	}
	return nil
}

func formatBatch(b *telemetryv1.Batch) string {
	var sb strings.Builder
	end := "-"
	if b.WindowEnd != nil {
		end = b.WindowEnd.AsTime().Local().Format("15:04:05")
	}
	fmt.Fprintf(&sb, "%s %s seq=%d", end, b.DeviceId, b.Seq)
	if b.DroppedBatches > 0 {
		fmt.Fprintf(&sb, " DROPPED=%d", b.DroppedBatches)
	}
	if len(b.Models) == 0 {
		sb.WriteString(" (idle)")
	}
	for _, m := range b.Models {
		agg := ingest.ModelAgg{LatencyBoundsUs: m.LatencyBoundsUs, LatencyCounts: m.LatencyCounts}
		var errs uint64
		for _, e := range m.Errors {
			errs += e.Count
		}
		fmt.Fprintf(&sb, " | %s/%s req=%d err=%d p50=%s", m.Model, m.Version, m.Requests, errs,
			(time.Duration(agg.LatencyQuantile(0.5)) * time.Microsecond).Round(time.Microsecond))
		if top, n := topClass(m.Top1); n > 0 {
			fmt.Fprintf(&sb, " top1=%d(%d)", top, n)
		}
	}
	if h := b.Health; h != nil {
		fmt.Fprintf(&sb, " | load=%.2f mem=%dMiB", h.CpuLoad1, h.MemAvailableBytes>>20)
		if h.TemperatureC != nil {
			fmt.Fprintf(&sb, " temp=%.1fC", *h.TemperatureC)
		}
	}
	return sb.String()
}

// topClass returns the most frequent top-1 class and its count, the
// lowest class on a tie; a class listed twice counts twice.
func topClass(classes []*telemetryv1.ClassCount) (uint32, uint64) {
	counts := make(map[uint32]uint64, len(classes))
	for _, c := range classes {
		counts[c.Class] += c.Count
	}
	var best uint32
	var n uint64
	for class, c := range counts {
		if c > n || c == n && class < best {
			best, n = class, c
		}
	}
	return best, n
}

func telemetryShow(g *globals) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "show DEVICE [--from T] [--to T]",
		Short: "Show a device's telemetry buckets, gaps and drops over a time range",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var out ingest.DeviceTelemetry
			path := "/api/v1/devices/" + client.Seg(args[0]) + "/telemetry" + client.Query("from", from, "to", to)
			if err := c.Get(cmd.Context(), path, &out); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, out, func() table {
				t := table{header: []string{"START", "BATCHES", "DROPPED", "MODEL", "REQUESTS", "ERRORS", "P50"}}
				for _, b := range out.Buckets {
					start := time.Unix(b.Start, 0).Local().Format("2006-01-02 15:04")
					if len(b.Models) == 0 {
						t.rows = append(t.rows, []string{start, fmt.Sprint(b.Batches), fmt.Sprint(b.Dropped), "-", "0", "0", "-"})
					}
					for _, m := range b.Models {
						p50 := (time.Duration(m.LatencyQuantile(0.5)) * time.Microsecond).Round(time.Microsecond)
						t.rows = append(t.rows, []string{start, fmt.Sprint(b.Batches), fmt.Sprint(b.Dropped), m.Model + "/" + m.Version,
							fmt.Sprint(m.Requests), fmt.Sprint(m.ErrorCount()), p50.String()})
					}
				}
				return t
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "start: RFC 3339 or unix seconds (default: an hour before --to)")
	cmd.Flags().StringVar(&to, "to", "", "end: RFC 3339 or unix seconds (default: now)")
	return cmd
}

func modelMetrics(g *globals) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "metrics NAME VERSION [--from T] [--to T]",
		Short: "Show a version's fleet-wide requests, error rate, latency quantiles and input drift",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var m ingest.ModelMetrics
			path := "/api/v1/models/" + client.Seg(args[0]) + "/versions/" + client.Seg(args[1]) + "/metrics" + client.Query("from", from, "to", to)
			if err := c.Get(cmd.Context(), path, &m); err != nil {
				return err
			}
			return render(cmd.OutOrStdout(), g.output, m, func() table {
				us := func(v float64) string { return (time.Duration(v) * time.Microsecond).Round(time.Microsecond).String() }
				drift := "no"
				if m.Drifting {
					drift = "YES"
				}
				return table{
					header: []string{"MODEL", "REQUESTS", "ERROR RATE", "P50", "P90", "P99", "DRIFTING"},
					rows: [][]string{{m.Model + "/" + m.Version, fmt.Sprint(m.Requests), fmt.Sprintf("%.2f%%", 100*m.ErrorRate),
						us(m.LatencyP50Us), us(m.LatencyP90Us), us(m.LatencyP99Us), drift}},
				}
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "start: RFC 3339 or unix seconds (default: an hour before --to)")
	cmd.Flags().StringVar(&to, "to", "", "end: RFC 3339 or unix seconds (default: now)")
	return cmd
}
