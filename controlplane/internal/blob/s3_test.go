package blob_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/controlplane/internal/blob"
	"github.com/edgefleet/edgefleet/controlplane/internal/blob/blobtest"
	"github.com/edgefleet/edgefleet/tools/testenv"
)

func TestS3Conformance(t *testing.T) {
	srv := testenv.MinIO(t)
	var n atomic.Int32
	blobtest.Run(t, func(t *testing.T) blob.Store {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// A fresh bucket per subtest keeps them independent; NewS3 creates it.
		s, err := blob.NewS3(ctx, blob.S3Config{
			Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
			Bucket: fmt.Sprintf("conformance-%d", n.Add(1)),
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, true)
}
