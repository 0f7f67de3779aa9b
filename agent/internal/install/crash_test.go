package install

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/agent/internal/store"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// The crash test proves the store's promise: kill -9 at any moment leaves
// a database that opens, whose pointers name intact blobs, and whose active
// models load and pass their probes. A child process (this test binary,
// re-executed into TestHelperProcess) imports, activates, rolls back and
// deletes versions in a loop; the parent SIGKILLs it after a random delay,
// then checks the database, and repeats on the same file.

const (
	envHelper = "EDGEFLEET_CRASH_HELPER"
	envDB     = "EDGEFLEET_CRASH_DB"
)

func TestCrashDuringImportAndActivation(t *testing.T) {
	trials := 200
	if testing.Short() {
		trials = 20
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	db := filepath.Join(t.TempDir(), store.FileName)
	ctx := context.Background()

	maxVersions := 0
	killedIn := map[string]int{}
	for trial := range trials {
		delay := time.Duration(rng.Int64N(int64(30 * time.Millisecond)))
		step, err := killChildAfter(db, delay)
		if err != nil {
			t.Fatalf("trial %d (delay %s): %v", trial, delay, err)
		}
		killedIn[step]++
		n, err := checkAfterCrash(ctx, db)
		if err != nil {
			t.Fatalf("trial %d (delay %s, killed in %s): after kill -9: %v", trial, delay, step, err)
		}
		maxVersions = max(maxVersions, n)
	}
	// Guard against a vacuous pass (a child that never got to work).
	st, err := store.Open(db, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seq, err := st.NextSequence(helperCounter)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d trials, %d import/activate iterations started in total, up to %d versions stored; kills by step: %v", trials, seq-1, maxVersions, killedIn)
	// An iteration takes a few fsync'ed commits (~25 ms here), about the
	// mean kill delay, so most kills land inside the first iterations;
	// fewer than one per four trials means the children hardly worked.
	if seq-1 < uint64(trials/4) {
		t.Fatalf("children started only %d iterations in %d trials; the test is not exercising the store", seq-1, trials)
	}
	if testing.Short() {
		return // too few trials for the coverage checks below
	}
	if killedIn["import"] == 0 || killedIn["activate"] == 0 {
		t.Fatalf("no kill landed in import or activate (%v)", killedIn)
	}
	for _, name := range []string{"tiny", "conv"} {
		if _, err := st.Pointer(name); err != nil {
			t.Fatalf("after %d trials model %s was never activated: %v", trials, name, err)
		}
	}
}

// killChildAfter starts the helper, waits until it has opened the
// database, lets it work for delay and kills it with SIGKILL. It returns
// the step the child was in.
func killChildAfter(db string, delay time.Duration) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), envHelper+"=1", envDB+"="+db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	// The child prints "ready", then the name of each step before taking
	// it; the last name read before the kill is the step it died in (or
	// just after).
	ready := make(chan error, 1)
	lastStep := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		last := ""
		if !sc.Scan() || sc.Text() != "ready" {
			ready <- fmt.Errorf("child said %q (%v)", sc.Text(), sc.Err())
		} else {
			ready <- nil
			for sc.Scan() {
				last = sc.Text()
			}
		}
		lastStep <- last
	}()
	select {
	case err = <-ready:
	case <-time.After(30 * time.Second):
		err = errors.New("child not ready after 30s")
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return "", fmt.Errorf("%w; child stderr: %s", err, stderr.String())
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return "", fmt.Errorf("kill: %w", err)
	}
	err = cmd.Wait()
	step := <-lastStep
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return "", fmt.Errorf("child ended with %v, want killed", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		return "", fmt.Errorf("child exited by itself (%v) before the kill; stderr: %s", err, stderr.String())
	}
	if step == "" {
		step = "open"
	}
	return step, nil
}

// checkAfterCrash opens the database the way the agent would after a power
// cut and checks every promise; it returns the number of stored versions.
func checkAfterCrash(ctx context.Context, db string) (int, error) {
	st, err := store.Open(db, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		return 0, err
	}
	entries, err := st.List()
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if !e.Active && !e.Previous {
			continue
		}
		signed, blob, err := st.Get(e.Name, e.Version)
		if err != nil {
			return 0, err
		}
		// Verify loads the model with tflite.Load and runs its probe.
		if err := Verify(ctx, blob, signed, trustedKeys(), false); err != nil {
			return 0, fmt.Errorf("active=%v previous=%v: %w", e.Active, e.Previous, err)
		}
	}
	return len(entries), nil
}

// helperCounter is the state key the helper counts its iterations under.
const helperCounter = "crashtest.iteration"

// TestHelperProcess is the crash test's child; it does nothing in a normal
// test run. It loops forever: import a new version of one of two models and
// activate it, sometimes roll back, and delete old versions.
func TestHelperProcess(t *testing.T) {
	db := os.Getenv(envDB)
	if os.Getenv(envHelper) != "1" || db == "" {
		t.Skip("crash-test child; runs only when re-executed by TestCrashDuringImportAndActivation")
	}
	if err := helperLoop(db); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
}

func helperLoop(db string) error {
	ctx := context.Background()
	st, err := store.Open(db, store.Options{Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	in := New(st, Config{Trusted: trustedKeys(), Logger: discardLogger()})
	fmt.Println("ready")
	for {
		fmt.Println("delete")
		for _, name := range []string{"tiny", "conv"} {
			if err := deleteOld(st, name); err != nil {
				return err
			}
		}
		fmt.Println("sequence")
		n, err := st.NextSequence(helperCounter)
		if err != nil {
			return err
		}
		fmt.Println("build")
		name, blob, err := helperModel(n)
		if err != nil {
			return err
		}
		version := fmt.Sprintf("v%d", n)
		m, err := NewManifest(ctx, name, version, blob, nil)
		if err != nil {
			return err
		}
		signed := sign(helperTB{}, m)
		fmt.Println("import")
		if err := in.Import(ctx, blob, signed, false); err != nil {
			return err
		}
		if n%5 != 0 {
			fmt.Println("activate")
			if err := in.Activate(ctx, name, version); err != nil {
				return err
			}
		}
		if n%3 == 0 {
			fmt.Println("rollback")
			if _, err := in.Rollback(ctx, name); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
}

// helperModel alternates a tiny classifier and a small conv net, each
// version with its own weights (so its own blob and probe).
func helperModel(n uint64) (string, []byte, error) {
	if n%2 == 0 {
		b, err := builder.SmallConvNet(n)
		return "conv", b, err
	}
	b, err := builder.TinyClassifier(n)
	return "tiny", b, err
}

// deleteOld keeps at most four versions of name besides active and
// previous, so blobs get garbage-collected during the test too.
func deleteOld(st *store.Store, name string) error {
	entries, err := st.List()
	if err != nil {
		return err
	}
	var spare []store.Entry
	for _, e := range entries {
		if e.Name == name && !e.Active && !e.Previous {
			spare = append(spare, e)
		}
	}
	for len(spare) > 4 {
		if err := st.Delete(name, spare[0].Version); err != nil {
			return err
		}
		spare = spare[1:]
	}
	return nil
}
