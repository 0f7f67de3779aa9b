package blob_test

import (
	"testing"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/blob/blobtest"
)

func TestLocalConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, false)
}
