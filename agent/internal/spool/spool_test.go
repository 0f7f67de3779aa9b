package spool

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func openDB(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func payload(n int) BuildFunc {
	return func(seq, dropped uint64) ([]byte, error) {
		p := fmt.Sprintf("seq=%d dropped=%d;", seq, dropped)
		return []byte(p + strings.Repeat("x", n-len(p))), nil
	}
}

func TestAppendPeekAckInOrder(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "a.db"))
	defer db.Close()
	s, err := New(db, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		seq, err := s.Append(payload(100))
		if err != nil || seq != uint64(i) {
			t.Fatalf("Append #%d = %d, %v", i, seq, err)
		}
	}
	got, err := s.Peek(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Seq != 1 || got[2].Seq != 3 {
		t.Fatalf("Peek(3) = %+v", got)
	}
	if err := s.Ack(1); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(1); err != nil { // double ack is harmless
		t.Fatal(err)
	}
	st, _ := s.Stats()
	if st.Entries != 4 || st.Bytes != 400 || st.NextSeq != 6 {
		t.Fatalf("Stats = %+v", st)
	}
}

func TestSequenceSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db := openDB(t, path)
	s, _ := New(db, 0)
	for range 3 {
		if _, err := s.Append(payload(40)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := s.Peek(10)
	for _, e := range entries {
		if err := s.Ack(e.Seq); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = openDB(t, path)
	defer db.Close()
	s, _ = New(db, 0)
	seq, err := s.Append(payload(40))
	if err != nil || seq != 4 {
		t.Fatalf("after reopen Append = %d, %v; want 4", seq, err)
	}
}

func TestEvictionCountsDrops(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "a.db"))
	defer db.Close()
	s, _ := New(db, 1000) // room for 10 entries of 100 bytes
	for range 13 {
		if _, err := s.Append(payload(100)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := s.Peek(100)
	if len(entries) != 10 || entries[0].Seq != 4 {
		t.Fatalf("kept %d entries from seq %d, want 10 from 4", len(entries), entries[0].Seq)
	}
	// Each append past the bound evicts one batch after it is stored, so the
	// following batch reports it: #11 evicts #1, so #12 reports 1, and so on.
	for _, e := range entries {
		want := uint64(0)
		if e.Seq >= 12 {
			want = 1
		}
		if e.Dropped != want {
			t.Fatalf("entry %d reports %d drops, want %d", e.Seq, e.Dropped, want)
		}
	}
	seq, _ := s.Append(payload(100)) // reports #3, evicts #4 (which reported nothing)
	entries, _ = s.Peek(100)
	last := entries[len(entries)-1]
	if last.Seq != seq || last.Dropped != 1 {
		t.Fatalf("batch %d reports %d drops, want 1", last.Seq, last.Dropped)
	}
	// Evicting a batch that carried a drop count re-reports that count.
	for range 10 {
		if _, err := s.Append(payload(100)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ = s.Peek(100)
	var reported uint64
	for _, e := range entries {
		reported += e.Dropped
	}
	st, _ := s.Stats()
	// Every evicted batch is counted once: by a held batch or as pending.
	if reported+pendingOf(t, s) != st.DroppedTotal {
		t.Fatalf("drops not conserved: held batches report %d, pending %d, evicted %d", reported, pendingOf(t, s), st.DroppedTotal)
	}
	if st.DroppedTotal != st.NextSeq-1-uint64(len(entries)) {
		t.Fatalf("DroppedTotal = %d, want %d", st.DroppedTotal, st.NextSeq-1-uint64(len(entries)))
	}
}

func pendingOf(t *testing.T, s *Spool) uint64 {
	t.Helper()
	var p uint64
	_ = s.db.View(func(tx *bolt.Tx) error { p = getUint(tx.Bucket(metaBucket), keyDropped); return nil })
	return p
}

func TestOversizeRefused(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "a.db"))
	defer db.Close()
	s, _ := New(db, 100)
	_, err := s.Append(payload(101))
	if err == nil || !strings.Contains(err.Error(), "larger than the spool limit of 100") {
		t.Fatalf("err = %v", err)
	}
	st, _ := s.Stats()
	if st.NextSeq != 1 {
		t.Fatalf("refused append consumed a sequence number: next %d", st.NextSeq)
	}
}
