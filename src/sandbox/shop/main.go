// Command shop is the sandbox's demo shop: one static binary that plays one of three roles.
//
//	catalog   GET /items: a small fixed product list
//	checkout  GET / and GET /checkout: calls the catalog over HTTP and checks the database with a
//	          TCP connect; 200 when both answer, 503 with the downstream's exact error when not
//	db        a stand-in database: accepts TCP connections and greets each with one line
//
// Every HTTP answer is JSON naming the pod and node that served it (downward API env POD_NAME,
// NODE_NAME, POD_IP; the hostname otherwise), so players see where a request went. Requests are
// logged one line each to stdout (kubectl logs). SIGTERM shuts down within 2 s.
//
// Flags and env (flags win): --role / SHOP_ROLE, --listen / SHOP_LISTEN (default :8080, :5432 for
// db), CATALOG_URL, DB_ADDR, DOWNSTREAM_TIMEOUT (Go duration or seconds, default 2s), SHOP_DB_NAME.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is set at build time (-ldflags "-X main.version=..."); provisioning compares it.
var version = "dev"

// shutdownGrace bounds the graceful shutdown after SIGTERM.
const shutdownGrace = 2 * time.Second

func main() {
	log.SetFlags(0)
	log.SetOutput(os.Stdout)
	code, err := run(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
	}
	os.Exit(code)
}

func run(args []string, getenv func(string) string) (int, error) {
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	role := fs.String("role", getenv("SHOP_ROLE"), "catalog | checkout | db (env SHOP_ROLE)")
	listen := fs.String("listen", getenv("SHOP_LISTEN"), "listen address (env SHOP_LISTEN; default :8080, :5432 for db)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2, nil
	}
	if *showVersion {
		fmt.Println("shop", version)
		return 0, nil
	}
	cfg, err := loadConfig(*role, *listen, getenv)
	if err != nil {
		return 2, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, cfg, nil); err != nil {
		return 1, err
	}
	return 0, nil
}

// serve runs the role until ctx ends, then shuts down within shutdownGrace. ready (if not nil)
// receives the bound address once the role is serving (tests listen on :0).
func serve(ctx context.Context, cfg config, ready chan<- string) error {
	switch cfg.role {
	case roleDB:
		return serveDB(ctx, cfg, ready)
	case roleCatalog, roleCheckout:
		return serveHTTP(ctx, cfg, ready)
	}
	return errors.New("unknown role " + string(cfg.role))
}
