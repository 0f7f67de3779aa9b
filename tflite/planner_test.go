package tflite

import (
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// chainModel builds a Model (tensors and op wiring only, no kernels) from
// tensor byte sizes (int8, shape [size]) and ops given as input/output
// tensor lists.
func chainModel(sizes []int, inputs, outputs []int, ops [][2][]int) *Model {
	m := &Model{inputs: inputs, outputs: outputs}
	for i, s := range sizes {
		m.tensors = append(m.tensors, tensor.Tensor{Index: i, Type: tensor.Int8, Shape: []int{s}})
	}
	for i, io := range ops {
		m.ops = append(m.ops, opNode{index: i, inputs: io[0], outputs: io[1]})
	}
	m.exec = m.ops
	return m
}

func TestPlanArena(t *testing.T) {
	tests := []struct {
		name    string
		m       *Model
		want    int   // arena size
		offsets []int // expected offset per tensor (-1: not in arena)
	}{
		{
			// in(100) -> a(200) -> b(50) -> out(10): a and b cannot share
			// with in (graph inputs live throughout); b overlaps a; out may
			// reuse a's bytes once a is dead.
			name: "chain",
			m: chainModel([]int{100, 200, 50, 10}, []int{0}, []int{3}, [][2][]int{
				{{0}, {1}}, {{1}, {2}}, {{2}, {3}},
			}),
			// sorted: a(200)@0, in(100)@208, b(50): busy a[0,200) in[208,308) -> 320, out(10): busy in, b -> 0
			want:    384,
			offsets: []int{208, 0, 320, 0},
		},
		{
			// Two branches joined by an op: x and y are both live at op 2.
			name: "diamond",
			m: chainModel([]int{64, 32, 32, 64}, []int{0}, []int{3}, [][2][]int{
				{{0}, {1}}, {{0}, {2}}, {{1, 2}, {3}},
			}),
			// in(64)@0 [0,2], out(64)@[2,2]: busy in -> 64; x(32)[0,2]: busy in,out -> 128; y(32)[1,2]: -> 160
			want:    192,
			offsets: []int{0, 128, 160, 64},
		},
		{
			// Constants and unused tensors take no arena space.
			name: "constants",
			m: func() *Model {
				m := chainModel([]int{16, 1000, 16, 5000}, []int{0}, []int{2}, [][2][]int{{{0, 1}, {2}}})
				m.tensors[1].Const = true
				return m
			}(),
			want:    32,
			offsets: []int{0, -1, 16, -1},
		},
		{
			name:    "no ops, output is input",
			m:       chainModel([]int{7}, []int{0}, []int{0}, nil),
			want:    16,
			offsets: []int{0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := planArena(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if plan.size != tt.want {
				t.Errorf("size = %d, want %d", plan.size, tt.want)
			}
			for i, want := range tt.offsets {
				if plan.offsets[i] != want {
					t.Errorf("tensor %d offset = %d, want %d", i, plan.offsets[i], want)
				}
			}
			checkPlan(t, tt.m, plan)
		})
	}
}

// checkPlan verifies the planner's invariants: aligned offsets inside the
// arena, and no two tensors with overlapping lifetimes sharing bytes.
func checkPlan(t *testing.T, m *Model, plan arenaPlan) {
	t.Helper()
	lives := lifetimes(m)
	for _, a := range lives {
		off := plan.offsets[a.tensor]
		if off < 0 || off%arenaAlign != 0 || off+a.size > plan.size {
			t.Errorf("tensor %d at %d (+%d) is unaligned or outside the %d-byte arena", a.tensor, off, a.size, plan.size)
		}
		for _, b := range lives {
			if a.tensor >= b.tensor || a.last < b.first || b.last < a.first {
				continue
			}
			ao, bo := plan.offsets[a.tensor], plan.offsets[b.tensor]
			if ao < bo+b.size && bo < ao+a.size {
				t.Errorf("tensors %d [%d,%d) and %d [%d,%d) are live together and overlap", a.tensor, ao, ao+a.size, b.tensor, bo, bo+b.size)
			}
		}
	}
}

// TestPlanArenaRandomGraphs checks the invariants on many generated
// graphs, where hand-computed layouts would be impractical.
func TestPlanArenaRandomGraphs(t *testing.T) {
	seed := uint64(42)
	next := func(n int) int {
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return int((z ^ (z >> 31)) % uint64(n))
	}
	for g := 0; g < 200; g++ {
		nt := 2 + next(30)
		sizes := make([]int, nt)
		for i := range sizes {
			sizes[i] = 1 + next(300)
		}
		// Tensor 0 is the input; op i writes tensor i+1 from up to three
		// earlier tensors; the last tensor and one random one are outputs.
		var ops [][2][]int
		for o := 1; o < nt; o++ {
			var ins []int
			for k := 0; k <= next(3); k++ {
				ins = append(ins, next(o))
			}
			ops = append(ops, [2][]int{ins, {o}})
		}
		outs := []int{nt - 1}
		if extra := 1 + next(nt-1); extra != nt-1 {
			outs = append(outs, extra)
		}
		m := chainModel(sizes, []int{0}, outs, ops)
		plan, err := planArena(m)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, m, plan)
		if t.Failed() {
			t.Fatalf("graph %d failed: sizes %v ops %v outputs %v", g, sizes, ops, outs)
		}
	}
}
