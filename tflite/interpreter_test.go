package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func newTwoLayer(t testing.TB, opts Options) *Interpreter {
	t.Helper()
	m, err := Load(twoLayerModel(t).Encode())
	if err != nil {
		t.Fatal(err)
	}
	it, err := NewInterpreter(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestInvokeTwoLayer checks the plumbing end to end on a model whose
// output is worked out by hand. All multipliers are powers of two, so
// TFLite's requantization is SaturatingRoundingDoublingHighMul by 2^30
// (x/2 rounded half up) then RoundingDivideByPOT (half away from zero):
//
//	in-zp = [8,-4,23,3]; acc = w1·x + b1 = [83,181,359]
//	×0.125: x/2 → [42,91,180], /4 → [11,23,45]; +2 → mid [13,25,47]
//	mid-zp = [11,23,45]; acc = w2·x + b2 = [18,149]
//	×0.25: x/2 → [9,75], /2 → [5,38]; -1 → out [4,37]
func TestInvokeTwoLayer(t *testing.T) {
	it := newTwoLayer(t, Options{})
	in := []byte{5, 0xf9, 20, 0} // int8 5, -7, 20, 0
	if err := it.Input(0).CopyFrom(in); err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 2; run++ {
		if err := it.Invoke(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := it.Output(0).Int8(), []int8{4, 37}; !slices.Equal(got, want) {
			t.Fatalf("run %d: output = %v, want %v", run, got, want)
		}
		if got := it.Input(0).Bytes(); !slices.Equal(got, in) {
			t.Fatalf("run %d: input overwritten: %v, want %v", run, got, in)
		}
	}
}

func TestInterpreterAccessors(t *testing.T) {
	it := newTwoLayer(t, Options{})
	if it.NumInputs() != 1 || it.NumOutputs() != 1 {
		t.Fatalf("NumInputs/NumOutputs = %d/%d, want 1/1", it.NumInputs(), it.NumOutputs())
	}
	if it.Input(1) != nil || it.Output(-1) != nil {
		t.Error("out-of-range Input/Output should be nil")
	}
	in := it.Input(0)
	info := in.Info()
	if info.Name != "input" || info.Type != Int8 || !slices.Equal(info.Shape, []int{1, 4}) || info.Scale != 0.5 || info.ZeroPoint != -3 {
		t.Errorf("input info = %+v", info)
	}
	if in.Uint8() != nil || in.Float32() != nil || in.Int32() != nil {
		t.Error("typed views of another type should be nil")
	}
	if err := in.CopyFrom([]byte{1, 2, 3}); err == nil {
		t.Error("CopyFrom with 3 bytes into a 4-byte tensor succeeded")
	}
	ops := it.Model().Ops()
	if len(ops) != 2 || ops[0].Name != "FULLY_CONNECTED" || ops[1].Index != 1 {
		t.Errorf("Ops() = %+v", ops)
	}
}

func TestInterpreterMemoryLimit(t *testing.T) {
	m, err := Load(twoLayerModel(t).Encode())
	if err != nil {
		t.Fatal(err)
	}
	size := int64(m.ArenaSize())
	if size == 0 {
		t.Fatal("ArenaSize() = 0")
	}
	if _, err := NewInterpreter(m, Options{MemoryLimit: size - 1}); !errors.Is(err, ErrMemoryLimit) {
		t.Errorf("limit %d below arena %d: err = %v, want ErrMemoryLimit", size-1, size, err)
	}
	if _, err := NewInterpreter(m, Options{MemoryLimit: size}); err != nil {
		t.Errorf("limit equal to the arena: %v", err)
	}
	if _, err := NewInterpreter(m, Options{Threads: -1}); err == nil {
		t.Error("Threads -1 accepted")
	}
}

func TestInvokeCancelled(t *testing.T) {
	it := newTwoLayer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := it.Invoke(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestInterpretersShareModel runs two interpreters of one model with
// different inputs: each keeps its own arena.
func TestInterpretersShareModel(t *testing.T) {
	m, err := Load(twoLayerModel(t).Encode())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := NewInterpreter(m, Options{})
	b, _ := NewInterpreter(m, Options{})
	_ = a.Input(0).CopyFrom([]byte{5, 0xf9, 20, 0})
	_ = b.Input(0).CopyFrom([]byte{0, 0, 0, 0})
	if err := a.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := a.Output(0).Int8(); !slices.Equal(got, []int8{4, 37}) {
		t.Errorf("interpreter a output = %v after b ran, want [4 37]", got)
	}
}

// TestInvokeAllocs proves Invoke allocates nothing, on the hand-made model
// and on every shared model the engine loads.
func TestInvokeAllocs(t *testing.T) {
	check := func(t *testing.T, it *Interpreter) {
		ctx := context.Background()
		allocs := testing.AllocsPerRun(5, func() {
			if err := it.Invoke(ctx); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Invoke allocates %v times per run, want 0", allocs)
		}
	}
	t.Run("two_layer", func(t *testing.T) { check(t, newTwoLayer(t, Options{})) })
	for _, path := range sharedModelFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			buf, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Load(buf)
			if errors.Is(err, ErrUnsupported) {
				t.Skipf("not loadable yet: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			it, err := NewInterpreter(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			check(t, it)
		})
	}
}

// sharedModelFiles lists shared/models/*.tflite (nil when the folder is
// absent: these callers also have hand-made cases).
func sharedModelFiles(tb testing.TB) []string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			files, _ := filepath.Glob(filepath.Join(dir, "..", "shared", "models", "*.tflite"))
			return files
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// TestInterpretersConcurrent runs interpreters of one model on several
// goroutines at once (run with -race to check the Model is read-only).
func TestInterpretersConcurrent(t *testing.T) {
	m, err := Load(twoLayerModel(t).Encode())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			it, err := NewInterpreter(m, Options{})
			if err != nil {
				errs <- err
				return
			}
			_ = it.Input(0).CopyFrom([]byte{5, 0xf9, 20, 0})
			for i := 0; i < 50; i++ {
				if err := it.Invoke(context.Background()); err != nil {
					errs <- err
					return
				}
				if got := it.Output(0).Int8(); !slices.Equal(got, []int8{4, 37}) {
					errs <- errors.New("wrong output under concurrency")
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
