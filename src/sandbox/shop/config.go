package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

type role string

const (
	roleCatalog  role = "catalog"
	roleCheckout role = "checkout"
	roleDB       role = "db"
)

// identity says who served a request: it goes into every answer.
type identity struct {
	Pod   string `json:"pod"`
	Node  string `json:"node"`
	PodIP string `json:"podIP,omitempty"`
	Role  role   `json:"role"`
}

type config struct {
	role       role
	listen     string
	catalogURL string
	dbAddr     string
	timeout    time.Duration
	dbName     string
	// DB_PROTOCOL: "tcp" (a connect, the default) or "postgres"; DB_USER / DB_DATABASE for the latter
	dbProtocol string
	dbUser     string
	dbDatabase string
	id         identity
	// resolver for checkout's downstream names; nil: the system's (/etc/resolv.conf, cluster DNS)
	resolver *net.Resolver
}

func loadConfig(r, listen string, getenv func(string) string) (config, error) {
	c := config{role: role(r), listen: listen}
	switch c.role {
	case roleCatalog, roleCheckout, roleDB:
	case "":
		return c, fmt.Errorf("no role: pass --role or SHOP_ROLE (catalog, checkout or db)")
	default:
		return c, fmt.Errorf("unknown role %q: want catalog, checkout or db", r)
	}
	if c.listen == "" {
		c.listen = ":8080"
		if c.role == roleDB {
			c.listen = ":5432"
		}
	}
	c.catalogURL = orDefault(getenv("CATALOG_URL"), "http://catalog/items")
	c.dbAddr = orDefault(getenv("DB_ADDR"), "shop-db:5432")
	c.dbName = orDefault(getenv("SHOP_DB_NAME"), "shop-db")
	c.dbProtocol = orDefault(getenv("DB_PROTOCOL"), "tcp")
	if c.dbProtocol != "tcp" && c.dbProtocol != "postgres" {
		return c, fmt.Errorf("DB_PROTOCOL=%q: want tcp or postgres", c.dbProtocol)
	}
	c.dbUser = orDefault(getenv("DB_USER"), "shop")
	c.dbDatabase = orDefault(getenv("DB_DATABASE"), "shop")
	t, err := parseTimeout(getenv("DOWNSTREAM_TIMEOUT"))
	if err != nil {
		return c, err
	}
	c.timeout = t
	host, _ := os.Hostname()
	c.id = identity{
		Pod:   orDefault(getenv("POD_NAME"), host),
		Node:  orDefault(getenv("NODE_NAME"), host),
		PodIP: getenv("POD_IP"),
		Role:  c.role,
	}
	return c, nil
}

// parseTimeout accepts a Go duration ("2s", "500ms") or plain seconds ("2", "0.5").
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 2 * time.Second, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("DOWNSTREAM_TIMEOUT=%q: want a positive duration (2s, 500ms) or seconds", s)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
