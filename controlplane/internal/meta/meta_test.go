package meta

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestScanPages(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "m.db"), "b")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Bolt().Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for i := range 25 {
			if err := Put(b, fmt.Sprintf("p/%02d", i), i); err != nil {
				return err
			}
		}
		return Put(b, "q/00", 99)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit int
		even  bool
		pages []int // records per page
	}{
		{limit: 10, pages: []int{10, 10, 5}},
		{limit: 25, pages: []int{25}},
		{limit: 0, pages: []int{25}},
		{limit: 4, even: true, pages: []int{4, 4, 4, 1}},
	} {
		var got []int
		var all []string
		token := ""
		for {
			var n int
			err := db.Bolt().View(func(tx *bolt.Tx) error {
				var err error
				token, err = Scan(tx.Bucket([]byte("b")), "p/", Page{Limit: tc.limit, Token: token}, func(k, v []byte) (bool, error) {
					var i int
					if err := Get(tx.Bucket([]byte("b")), string(k), &i); err != nil {
						return false, err
					}
					if tc.even && i%2 == 1 {
						return false, nil
					}
					n++
					all = append(all, string(k))
					return true, nil
				})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
			if token == "" {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.pages) {
			t.Errorf("limit %d even %v: pages %v, want %v", tc.limit, tc.even, got, tc.pages)
		}
		if strings.Contains(strings.Join(all, ","), "q/") {
			t.Errorf("prefix leaked: %v", all)
		}
	}
}

func TestBadTokenAndMissing(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "m.db"), "b")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.Bolt().View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		for _, tok := range []string{"!!!", "cS8"} { // "cS8" decodes to "q/": outside prefix
			if _, err := Scan(b, "p/", Page{Token: tok}, nil); !errors.Is(err, ErrInvalidPageToken) {
				t.Errorf("token %q: %v", tok, err)
			}
		}
		var v int
		if err := Get(b, "nope", &v); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get missing: %v", err)
		}
		return nil
	})
}
