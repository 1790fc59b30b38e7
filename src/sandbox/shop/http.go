package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// serveHTTP serves the catalog or checkout role until ctx ends.
func serveHTTP(ctx context.Context, cfg config, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	var draining atomic.Bool
	srv := &http.Server{
		Handler:           logRequests(newMux(cfg, &draining)),
		ReadHeaderTimeout: 5 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Printf("%s shop role=%s listening on %s pod=%s node=%s version=%s", stamp(), cfg.role, ln.Addr(), cfg.id.Pod, cfg.id.Node, version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// readiness goes false first, then in-flight requests get what is left of the grace period
	draining.Store(true)
	log.Printf("%s shop role=%s shutting down", stamp(), cfg.role)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func newMux(cfg config, draining *atomic.Bool) *http.ServeMux {
	mux := http.NewServeMux()
	// liveness: the process answers
	mux.HandleFunc("/healthz", getOnly(cfg.id, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, cfg.id, map[string]any{"status": "ok"})
	}))
	// readiness: the server is serving. Deliberately independent of the downstreams, so a network
	// fault shows in user-facing requests instead of pods flapping out of their Service.
	mux.HandleFunc("/readyz", getOnly(cfg.id, func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			writeJSON(w, http.StatusServiceUnavailable, cfg.id, map[string]any{"status": "shutting down"})
			return
		}
		writeJSON(w, http.StatusOK, cfg.id, map[string]any{"status": "ready"})
	}))
	switch cfg.role {
	case roleCatalog:
		mux.HandleFunc("/items", getOnly(cfg.id, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, cfg.id, map[string]any{"items": catalogItems})
		}))
		mux.HandleFunc("/{$}", getOnly(cfg.id, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, cfg.id, map[string]any{"endpoints": []string{"/items", "/healthz", "/readyz"}})
		}))
	case roleCheckout:
		c := newChecker(cfg)
		h := func(w http.ResponseWriter, r *http.Request) {
			res := c.check(r.Context())
			status := http.StatusOK
			if !res.OK {
				status = http.StatusServiceUnavailable
				// the downstream's exact error, for `kubectl logs` (the request line follows)
				log.Printf("%s checkout failed: %s", stamp(), res.fields()["error"])
			}
			writeJSON(w, status, cfg.id, res.fields())
		}
		mux.HandleFunc("/{$}", getOnly(cfg.id, h))
		mux.HandleFunc("/checkout", getOnly(cfg.id, h))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, cfg.id, map[string]any{"error": "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// getOnly answers anything but GET (and HEAD) with a JSON 405: every answer is JSON.
func getOnly(id identity, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, id, map[string]any{"error": "method not allowed: " + r.Method})
			return
		}
		h(w, r)
	}
}

// writeJSON answers with the identity fields plus the payload's.
func writeJSON(w http.ResponseWriter, status int, id identity, payload map[string]any) {
	body := map[string]any{"pod": id.Pod, "node": id.Node, "role": id.Role}
	if id.PodIP != "" {
		body["podIP"] = id.PodIP
	}
	for k, v := range payload {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(body)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logRequests writes one line per request to stdout, for kubectl logs.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %s %d %dms from=%s", stamp(), r.Method, r.URL.RequestURI(), rec.status, time.Since(start).Milliseconds(), r.RemoteAddr)
	})
}

func stamp() string { return time.Now().UTC().Format(time.RFC3339Nano) }
