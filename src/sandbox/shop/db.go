package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
)

// serveDB is the stand-in database: it accepts TCP connections, greets each with one line naming
// itself, and keeps the connection until the client closes it (or the server stops).
func serveDB(ctx context.Context, cfg config, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	log.Printf("%s shop role=db name=%s listening on %s pod=%s node=%s version=%s", stamp(), cfg.dbName, ln.Addr(), cfg.id.Pod, cfg.id.Node, version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	var (
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		wg    sync.WaitGroup
	)
	go func() {
		<-ctx.Done()
		log.Printf("%s shop role=db shutting down", stamp())
		_ = ln.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	}()
	greeting := fmt.Sprintf("%s ready: gameday stand-in database (pod=%s node=%s)\n", cfg.dbName, cfg.id.Pod, cfg.id.Node)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := conn.RemoteAddr().String()
			log.Printf("%s db connect from=%s", stamp(), from)
			_, _ = io.WriteString(conn, greeting)
			n, _ := io.Copy(io.Discard, conn) // until the client closes
			_ = conn.Close()
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
			log.Printf("%s db close from=%s bytes=%d", stamp(), from, n)
		}()
	}
	wg.Wait()
	return nil
}
