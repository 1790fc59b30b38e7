package main

// A minimal PostgreSQL client (wire protocol 3.0, simple query, trust authentication): enough for
// checkout to hold one connection to the database, write an order on it, and learn which instance
// answered. The standard library only: the shop builds without modules from a proxy.
//
// Checkout keeps the connection open between requests, as an application's pool does: when the
// database drops it (an Aurora failover restarts the instances), the next request fails with the
// error the driver saw and the one after reconnects — resolving the cluster's name again.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

type pgConn struct {
	conn net.Conn
	r    *bufio.Reader
	// the address actually dialled (the name's answer at connect time)
	remote string
}

// pgError is an ErrorResponse from the server: severity, SQLSTATE code and message.
type pgError struct{ severity, code, message string }

func (e *pgError) Error() string { return fmt.Sprintf("%s: %s (SQLSTATE %s)", e.severity, e.message, e.code) }

func pgConnect(ctx context.Context, dialer *net.Dialer, addr, user, database, app string, timeout time.Duration) (*pgConn, error) {
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &pgConn{conn: conn, r: bufio.NewReader(conn), remote: conn.RemoteAddr().String()}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	params := "user\x00" + user + "\x00database\x00" + database + "\x00application_name\x00" + app + "\x00\x00"
	msg := make([]byte, 8, 8+len(params))
	binary.BigEndian.PutUint32(msg[0:4], uint32(8+len(params)))
	binary.BigEndian.PutUint32(msg[4:8], 196608) // protocol 3.0
	msg = append(msg, params...)
	if _, err := conn.Write(msg); err != nil {
		_ = conn.Close()
		return nil, err
	}
	for {
		t, body, err := c.read()
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		switch t {
		case 'R':
			if len(body) < 4 || binary.BigEndian.Uint32(body) != 0 {
				_ = conn.Close()
				return nil, errors.New("the database asks for a password: the sandbox's instances trust the VPC")
			}
		case 'E':
			_ = conn.Close()
			return nil, parsePgError(body)
		case 'Z':
			return c, nil
		}
	}
}

func (c *pgConn) read() (byte, []byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(head[1:5])) - 4
	if n < 0 || n > 1<<20 {
		return 0, nil, fmt.Errorf("bad message length %d", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.r, body); err != nil {
		return 0, nil, err
	}
	return head[0], body, nil
}

// query runs one simple query and returns the first column of the first row (text).
func (c *pgConn) query(sql string, timeout time.Duration) (string, error) {
	_ = c.conn.SetDeadline(time.Now().Add(timeout))
	msg := make([]byte, 5, 6+len(sql))
	msg[0] = 'Q'
	binary.BigEndian.PutUint32(msg[1:5], uint32(4+len(sql)+1))
	msg = append(append(msg, sql...), 0)
	if _, err := c.conn.Write(msg); err != nil {
		return "", err
	}
	var first string
	var qerr error
	for {
		t, body, err := c.read()
		if err != nil {
			return "", err
		}
		switch t {
		case 'D':
			if first == "" && len(body) >= 6 {
				if l := int32(binary.BigEndian.Uint32(body[2:6])); l >= 0 && int(l) <= len(body)-6 {
					first = string(body[6 : 6+l])
				}
			}
		case 'E':
			qerr = parsePgError(body)
		case 'Z':
			return first, qerr
		}
	}
}

func (c *pgConn) close() { _ = c.conn.Close() }

func parsePgError(body []byte) error {
	e := &pgError{}
	for _, f := range strings.Split(string(body), "\x00") {
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case 'S':
			e.severity = f[1:]
		case 'C':
			e.code = f[1:]
		case 'M':
			e.message = f[1:]
		}
	}
	return e
}

// pgPool is checkout's "pool" of one connection, reopened after any error.
type pgPool struct {
	mu       sync.Mutex
	conn     *pgConn
	addr     string
	user     string
	database string
	app      string
	dialer   *net.Dialer
	timeout  time.Duration
}

// order writes one order on the writer and says which instance took it (its cluster_name). A held
// connection that turns out to be broken (an I/O error, not an answer from the server) is replaced
// once at once, as Go's database/sql does with a bad connection: the error a request reports is then
// the fresh connection's ("connection refused", "read-only transaction"), not the stale one's.
func (p *pgPool) order(ctx context.Context, pod string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// no silent retry: a connection the database dropped fails this request with the driver's error,
	// as an application's pool would show it after an Aurora failover; the next request reconnects
	return p.orderOnce(ctx, pod)
}

func (p *pgPool) orderOnce(ctx context.Context, pod string) (string, error) {
	if p.conn == nil {
		c, err := pgConnect(ctx, p.dialer, p.addr, p.user, p.database, p.app, p.timeout)
		if err != nil {
			return "", err
		}
		p.conn = c
	}
	// pod names are DNS labels; quote anyway
	sql := "INSERT INTO orders (pod) VALUES ('" + strings.ReplaceAll(pod, "'", "''") + "') RETURNING current_setting('cluster_name')"
	who, err := p.conn.query(sql, p.timeout)
	if err != nil {
		remote := p.conn.remote
		var pe *pgError
		if !errors.As(err, &pe) || pe.code == "25006" || strings.HasPrefix(pe.code, "57P") {
			// the connection is broken, or the instance is no longer the writer: reconnect next time
			p.conn.close()
			p.conn = nil
		}
		return "", fmt.Errorf("%s: %w", remote, err)
	}
	return who, nil
}
