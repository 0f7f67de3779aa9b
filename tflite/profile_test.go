package tflite

import (
	"context"
	"testing"
)

func TestProfile(t *testing.T) {
	ctx := context.Background()
	if p := newTwoLayer(t, Options{}).Profile(); p != nil {
		t.Fatalf("Profile without Options.Profile = %v, want nil", p)
	}
	it := newTwoLayer(t, Options{Profile: true})
	const runs = 3
	for range runs {
		if err := it.Invoke(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ops := it.Model().Ops()
	p := it.Profile()
	if len(p) != len(ops) {
		t.Fatalf("profile has %d entries, model %d ops", len(p), len(ops))
	}
	var total int64
	for i, e := range p {
		if e.Index != ops[i].Index || e.Op != ops[i].Name || e.Invokes != runs {
			t.Errorf("entry %d = %+v, want op %d %s run %d times", i, e, ops[i].Index, ops[i].Name, runs)
		}
		total += int64(e.Total)
	}
	if total <= 0 {
		t.Errorf("total profiled time %d ns, want > 0", total)
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = it.Invoke(ctx) }); allocs != 0 {
		t.Errorf("profiled Invoke allocates %v times, want 0", allocs)
	}
	it.ResetProfile()
	for i, e := range it.Profile() {
		if e.Invokes != 0 || e.Total != 0 {
			t.Errorf("entry %d after reset = %+v, want zero counts", i, e)
		}
	}
}
