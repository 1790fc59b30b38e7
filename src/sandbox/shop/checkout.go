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
	"os"
	"strings"
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
	// the nameservers of /etc/resolv.conf, named when a lookup times out (Go's message then omits them)
	nameservers []string
	// DB_PROTOCOL=postgres: an order written over a held connection (pg.go); otherwise a TCP connect
	pg  *pgPool
	pod string
}

func newChecker(cfg config) *checker {
	// The timeouts sit where the network reports them in words players can read: the dialer's
	// (name resolution + connect: "lookup catalog on 10.96.0.10:53: i/o timeout", "dial tcp …: i/o
	// timeout") and the wait for the answer ("timeout awaiting response headers"). An http.Client
	// Timeout would turn all of them into "context deadline exceeded"; callCatalog only keeps a
	// backstop deadline a little later.
	dialer := &net.Dialer{Timeout: cfg.timeout, Resolver: cfg.resolver}
	// A fresh connection per request (no keep-alive): every checkout resolves the Service name and
	// dials again, so a fault injected mid-game shows on the next request, not after an idle timeout.
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil, DialContext: dialer.DialContext, ResponseHeaderTimeout: cfg.timeout}
	c := &checker{
		catalogURL:  cfg.catalogURL,
		dbAddr:      cfg.dbAddr,
		timeout:     cfg.timeout,
		client:      &http.Client{Transport: tr},
		dialer:      dialer,
		nameservers: readNameservers("/etc/resolv.conf"),
		pod:         cfg.id.Pod,
	}
	if cfg.dbProtocol == "postgres" {
		c.pg = &pgPool{addr: cfg.dbAddr, user: cfg.dbUser, database: cfg.dbDatabase, app: string(cfg.role), dialer: dialer, timeout: cfg.timeout}
	}
	return c
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
	// the instance that took the order (PostgreSQL's cluster_name), with DB_PROTOCOL=postgres
	Instance string `json:"instance,omitempty"`
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
	ctx, cancel := context.WithTimeout(ctx, c.timeout+c.timeout/2)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.catalogURL, nil)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	resp, err := c.client.Do(req)
	if err != nil {
		r.Error = c.describe(err)
		return r
	}
	defer resp.Body.Close()
	r.Status = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		r.Error = "reading the catalog's answer: " + c.describe(err)
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

// checkDB writes an order through the held PostgreSQL connection (DB_PROTOCOL=postgres), or makes a
// plain TCP connect (the stand-in database).
func (c *checker) checkDB(ctx context.Context) dbResult {
	r := dbResult{Addr: c.dbAddr}
	if c.pg != nil {
		who, err := c.pg.order(ctx, c.pod)
		if err != nil {
			r.Error = c.describe(err)
			return r
		}
		r.OK, r.Instance = true, who
		return r
	}
	conn, err := c.dialer.DialContext(ctx, "tcp", c.dbAddr)
	if err != nil {
		r.Error = c.describe(err)
		return r
	}
	_ = conn.Close()
	r.OK = true
	return r
}

// describe is the error as the network reported it, without the HTTP client's `Get "<url>": `
// prefix (the URL is in the answer already), e.g. "dial tcp 10.20.200.10:5432: connect: connection
// refused", "dial tcp: lookup catalog on 10.96.0.10:53: no such host". A lookup cut short by the
// downstream timeout ("dial tcp: lookup catalog: i/o timeout") does not say which server failed to
// answer: the nameservers are added after the exact text.
func (c *checker) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	var de *net.DNSError
	if errors.As(err, &de) && de.IsTimeout && de.Server == "" && len(c.nameservers) > 0 {
		msg += fmt.Sprintf(" (no answer from nameserver %s within %s)", strings.Join(c.nameservers, ", "), c.timeout)
	}
	return msg
}

// readNameservers lists the "nameserver" lines of a resolv.conf as host:53.
func readNameservers(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, net.JoinHostPort(f[1], "53"))
		}
	}
	return out
}
