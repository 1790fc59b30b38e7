package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// checker calls checkout's two downstreams, each bounded by the downstream timeout, so a dropped
// packet gives a quick, readable error instead of a hang.
type checker struct {
	catalogURL string
	dbAddr     string
	timeout    time.Duration
	client     *http.Client
	dialer     *net.Dialer
}

func newChecker(cfg config) *checker {
	// A fresh connection per request (no keep-alive): every checkout resolves the Service name and
	// dials again, so a fault injected mid-game shows on the next request, not after an idle timeout.
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	return &checker{
		catalogURL: cfg.catalogURL,
		dbAddr:     cfg.dbAddr,
		timeout:    cfg.timeout,
		client:     &http.Client{Transport: tr, Timeout: cfg.timeout},
		dialer:     &net.Dialer{Timeout: cfg.timeout},
	}
}

type catalogResult struct {
	URL      string         `json:"url"`
	OK       bool           `json:"ok"`
	Status   int            `json:"status,omitempty"`
	ServedBy map[string]any `json:"servedBy,omitempty"`
	Items    int            `json:"items,omitempty"`
	Error    string         `json:"error,omitempty"`
}

type dbResult struct {
	Addr  string `json:"addr"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type checkResult struct {
	OK      bool
	Catalog catalogResult
	DB      dbResult
	Ms      int64
}

func (r checkResult) fields() map[string]any {
	f := map[string]any{"ok": r.OK, "catalog": r.Catalog, "db": r.DB, "ms": r.Ms}
	if !r.OK {
		failed := []string{}
		msg := ""
		if !r.Catalog.OK {
			failed = append(failed, "catalog")
			msg = "catalog: " + r.Catalog.Error
		}
		if !r.DB.OK {
			failed = append(failed, "db")
			if msg != "" {
				msg += "; "
			}
			msg += "db: " + r.DB.Error
		}
		f["failed"] = failed
		f["error"] = msg
	}
	return f
}

// check calls both downstreams at once: the answer takes at most one timeout.
func (c *checker) check(ctx context.Context) checkResult {
	start := time.Now()
	var res checkResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); res.Catalog = c.callCatalog(ctx) }()
	go func() { defer wg.Done(); res.DB = c.checkDB(ctx) }()
	wg.Wait()
	res.OK = res.Catalog.OK && res.DB.OK
	res.Ms = time.Since(start).Milliseconds()
	return res
}

func (c *checker) callCatalog(ctx context.Context) catalogResult {
	r := catalogResult{URL: c.catalogURL}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.catalogURL, nil)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	resp, err := c.client.Do(req)
	if err != nil {
		r.Error = downstreamError(err)
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		r.Error = "reading the catalog's answer: " + downstreamError(err)
		return r
	}
	var parsed struct {
		Pod   string `json:"pod"`
		Node  string `json:"node"`
		PodIP string `json:"podIP"`
		Items []item `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		r.Error = fmt.Sprintf("catalog answered %s", resp.Status)
		return r
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		r.Error = "the catalog's answer is not JSON: " + err.Error()
		return r
	}
	r.OK = true
	r.Items = len(parsed.Items)
	r.ServedBy = map[string]any{"pod": parsed.Pod, "node": parsed.Node}
	if parsed.PodIP != "" {
		r.ServedBy["podIP"] = parsed.PodIP
	}
	return r
}

// checkDB is a plain TCP connect: it works against the stand-in and against PostgreSQL alike.
func (c *checker) checkDB(ctx context.Context) dbResult {
	r := dbResult{Addr: c.dbAddr}
	conn, err := c.dialer.DialContext(ctx, "tcp", c.dbAddr)
	if err != nil {
		r.Error = downstreamError(err)
		return r
	}
	_ = conn.Close()
	r.OK = true
	return r
}

// downstreamError is the error as the network reported it, without the HTTP client's
// `Get "<url>": ` prefix (the URL is in the answer already), e.g.
// "dial tcp: lookup catalog on 10.96.0.10:53: read udp 10.244.1.5:41234->10.96.0.10:53: i/o timeout"
// or "dial tcp 10.20.200.10:5432: connect: connection refused".
func downstreamError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
