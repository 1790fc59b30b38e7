package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// start runs a role on 127.0.0.1:0 until the test ends and returns its address.
func start(t *testing.T, r role, env map[string]string) string {
	t.Helper()
	env["POD_NAME"] = string(r) + "-pod"
	env["NODE_NAME"] = "node-a"
	cfg, err := loadConfig(string(r), "127.0.0.1:0", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ready) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", r, err)
			}
		case <-time.After(shutdownGrace + time.Second):
			t.Errorf("%s did not stop within the grace period", r)
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		t.Fatalf("%s did not start: %v", r, err)
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not start", r)
	}
	return ""
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: content type %q", url, ct)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, body
}

// a port nothing listens on: bind, note, close
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestCatalogAnswersWithItemsAndIdentity(t *testing.T) {
	addr := start(t, roleCatalog, map[string]string{})
	status, body := getJSON(t, "http://"+addr+"/items")
	if status != 200 || body["pod"] != "catalog-pod" || body["node"] != "node-a" || body["role"] != "catalog" {
		t.Fatalf("got %d %v", status, body)
	}
	if items, _ := body["items"].([]any); len(items) != len(catalogItems) {
		t.Fatalf("items: %v", body["items"])
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _ := getJSON(t, "http://"+addr+p); status != 200 {
			t.Fatalf("%s: %d", p, status)
		}
	}
	if status, body := getJSON(t, "http://"+addr+"/nope"); status != 404 || body["pod"] != "catalog-pod" {
		t.Fatalf("unknown path: %d %v", status, body)
	}
}

func TestCheckoutReportsBothDownstreams(t *testing.T) {
	catalog := start(t, roleCatalog, map[string]string{})
	db := start(t, roleDB, map[string]string{"SHOP_DB_NAME": "test-db"})
	checkout := start(t, roleCheckout, map[string]string{"CATALOG_URL": "http://" + catalog + "/items", "DB_ADDR": db})
	status, body := getJSON(t, "http://"+checkout+"/checkout")
	if status != 200 || body["ok"] != true {
		t.Fatalf("got %d %v", status, body)
	}
	served := body["catalog"].(map[string]any)["servedBy"].(map[string]any)
	if served["pod"] != "catalog-pod" || body["db"].(map[string]any)["ok"] != true {
		t.Fatalf("got %v", body)
	}
	if status, _ := getJSON(t, "http://"+checkout+"/"); status != 200 {
		t.Fatalf("GET /: %d", status)
	}
}

func TestCheckoutNamesTheFailedDependencyWithItsError(t *testing.T) {
	catalog := start(t, roleCatalog, map[string]string{})
	checkout := start(t, roleCheckout, map[string]string{"CATALOG_URL": "http://" + catalog + "/items", "DB_ADDR": closedPort(t)})
	status, body := getJSON(t, "http://"+checkout+"/checkout")
	failed, _ := body["failed"].([]any)
	if status != 503 || len(failed) != 1 || failed[0] != "db" {
		t.Fatalf("got %d %v", status, body)
	}
	if e := body["db"].(map[string]any)["error"].(string); !strings.Contains(e, "connection refused") {
		t.Fatalf("db error %q", e)
	}
	// readiness does not depend on the downstreams
	if status, _ := getJSON(t, "http://"+checkout+"/readyz"); status != 200 {
		t.Fatalf("readyz: %d", status)
	}
}

func TestCheckoutTimesOutOnASilentCatalog(t *testing.T) {
	// accepts connections and never answers: what a DROP on the way back looks like
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := start(t, roleDB, map[string]string{})
	checkout := start(t, roleCheckout, map[string]string{"CATALOG_URL": "http://" + ln.Addr().String() + "/items", "DB_ADDR": db, "DOWNSTREAM_TIMEOUT": "300ms"})
	t0 := time.Now()
	status, body := getJSON(t, "http://"+checkout+"/checkout")
	if status != 503 || time.Since(t0) > 2*time.Second {
		t.Fatalf("got %d after %s: %v", status, time.Since(t0), body)
	}
	if e := body["catalog"].(map[string]any)["error"].(string); e != "net/http: timeout awaiting response headers" {
		t.Fatalf("catalog error %q", e)
	}
}

func TestCheckoutReportsADroppedDNSQueryAsALookupTimeout(t *testing.T) {
	// a DNS server that receives and never answers: what a DROP of port 53 looks like
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	cfg, err := loadConfig("checkout", "127.0.0.1:0", func(k string) string {
		return map[string]string{"CATALOG_URL": "http://catalog.shop.test/items", "DB_ADDR": "shop-db.shop.test:5432", "DOWNSTREAM_TIMEOUT": "300ms"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", silent.LocalAddr().String())
	}}
	c := newChecker(cfg)
	c.nameservers = []string{"10.96.0.10:53"}
	t0 := time.Now()
	res := c.check(context.Background())
	if res.OK || time.Since(t0) > 2*time.Second {
		t.Fatalf("got %+v after %s", res, time.Since(t0))
	}
	// the network's words, not "context deadline exceeded", and which nameserver stayed silent
	if want := "dial tcp: lookup catalog.shop.test: i/o timeout (no answer from nameserver 10.96.0.10:53 within 300ms)"; res.Catalog.Error != want {
		t.Fatalf("catalog error %q, want %q", res.Catalog.Error, want)
	}
	if want := "dial tcp: lookup shop-db.shop.test: i/o timeout (no answer from nameserver 10.96.0.10:53 within 300ms)"; res.DB.Error != want {
		t.Fatalf("db error %q, want %q", res.DB.Error, want)
	}
}

func TestDBGreetsAndHoldsTheConnection(t *testing.T) {
	db := start(t, roleDB, map[string]string{"SHOP_DB_NAME": "orders-db"})
	conn, err := net.DialTimeout("tcp", db, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "orders-db ready") {
		t.Fatalf("greeting %q, %v", line, err)
	}
}

func TestConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, err := loadConfig("", "", env(nil)); err == nil {
		t.Fatal("no role must fail")
	}
	c, err := loadConfig("db", "", env(nil))
	if err != nil || c.listen != ":5432" {
		t.Fatalf("db default listen: %v %v", c.listen, err)
	}
	c, _ = loadConfig("checkout", "", env(nil))
	if c.listen != ":8080" || c.catalogURL != "http://catalog/items" || c.dbAddr != "shop-db:5432" || c.timeout != 2*time.Second {
		t.Fatalf("checkout defaults: %+v", c)
	}
	for in, want := range map[string]time.Duration{"500ms": 500 * time.Millisecond, "3": 3 * time.Second, "0.25": 250 * time.Millisecond} {
		if d, err := parseTimeout(in); err != nil || d != want {
			t.Fatalf("%s: %v %v", in, d, err)
		}
	}
	if _, err := parseTimeout("soon"); err == nil {
		t.Fatal("bad timeout must fail")
	}
}
