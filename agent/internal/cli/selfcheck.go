package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	bolt "go.etcd.io/bbolt"
)

// newSelfcheckCmd checks that this binary works on this platform: it opens,
// writes and reads back a bbolt database in a temporary directory. It is what
// the cross-compiled smoke test runs under qemu.
func newSelfcheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "selfcheck",
		Short: "Check that the agent runs on this platform (bbolt round trip in a temp dir)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := os.MkdirTemp("", "edgefleet-selfcheck-")
			if err != nil {
				return fmt.Errorf("selfcheck: %w", err)
			}
			defer os.RemoveAll(dir)
			if err := boltRoundTrip(filepath.Join(dir, "check.db")); err != nil {
				return fmt.Errorf("selfcheck: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "selfcheck ok: bbolt read/write")
			return nil
		},
	}
}

func boltRoundTrip(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	want := []byte("edgefleet")
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("check"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), want)
	}); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return db.View(func(tx *bolt.Tx) error {
		got := tx.Bucket([]byte("check")).Get([]byte("k"))
		if string(got) != string(want) {
			return fmt.Errorf("read back %q, want %q", got, want)
		}
		return nil
	})
}
