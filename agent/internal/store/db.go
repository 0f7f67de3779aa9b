package store

import bolt "go.etcd.io/bbolt"

// DB returns the underlying bbolt database so that other agent packages
// (the telemetry spool) keep their buckets in the same file and the same
// crash-safety guarantees. They must not touch this package's buckets.
func (s *Store) DB() *bolt.DB { return s.db }
