package install

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestLocalOnly(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := localOnly(ok)
	tests := []struct {
		name, host, origin, remote string
		want                       int
	}{
		{"cli on loopback", "127.0.0.1:8470", "", "127.0.0.1:5000", http.StatusNoContent},
		{"localhost", "localhost:8470", "", "127.0.0.1:5000", http.StatusNoContent},
		{"ipv6 loopback", "[::1]:8470", "", "[::1]:5000", http.StatusNoContent},
		{"unix socket", "localhost", "", "@", http.StatusNoContent},
		{"browser page", "127.0.0.1:8470", "http://evil.example", "127.0.0.1:5000", http.StatusForbidden},
		{"dns rebinding", "evil.example:8470", "", "127.0.0.1:5000", http.StatusForbidden},
		{"lan address", "192.0.2.7:8470", "", "192.0.2.9:5000", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/admin/v1/models/m/rollback", nil)
			r.Host, r.RemoteAddr = tc.host, tc.remote
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, w.Body.String())
			}
		})
	}
}
