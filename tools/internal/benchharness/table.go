package benchharness

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints one line per model: our median, then per engine its
// median and ours ÷ it ("-" where the engine failed or was skipped).
func WriteTable(w io.Writer, rows []Row, engines []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"model", "ours ms"}
	for _, e := range engines {
		head = append(head, e+" ms", "ours/"+e)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows {
		cells := []string{r.Model, fmt.Sprintf("%.3f", r.Ours)}
		for _, e := range engines {
			if v, ok := r.Ref[e]; ok {
				cells = append(cells, fmt.Sprintf("%.3f", v), fmt.Sprintf("%.2f", r.Ratio(e)))
			} else {
				cells = append(cells, "-", "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}
