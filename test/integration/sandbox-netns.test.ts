/**
 * The network-namespace helper on the real kernel: a TCP server inside a namespace of our own,
 * probes with a timeout, and cleanup even on failure. Traffic never leaves the namespace.
 */
import { describe, expect, test } from 'vitest';
import { createNetns, netnsExists, withNetns } from '../helpers/sandbox/netns.js';

describe('sandbox: network namespaces', () => {
  test('a probe sees an open port, a closed (refused) port, and a port blocked by DROP (timeout)', async () => {
    let name = '';
    await withNetns(async (ns) => {
      name = ns.name;
      expect(await netnsExists(ns.name)).toBe(true);
      const srv = await ns.startTcpServer();
      expect(await ns.probe(srv.port)).toBe('open');
      const closed = srv.port === 65535 ? srv.port - 1 : srv.port + 1;
      expect(await ns.probe(closed)).toBe('refused');
      // block the open port inside the namespace, in a chain of our own
      await ns.run('iptables', ['-N', 'GDTEST']);
      await ns.run('iptables', ['-I', 'INPUT', '-j', 'GDTEST']);
      await ns.run('iptables', ['-A', 'GDTEST', '-p', 'tcp', '--dport', String(srv.port), '-j', 'DROP', '-m', 'comment', '--comment', 'gdtest']);
      const t0 = Date.now();
      expect(await ns.probe(srv.port, 800)).toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(5000);
      await ns.run('iptables', ['-F', 'GDTEST']);
      expect(await ns.probe(srv.port)).toBe('open');
      await srv.stop();
      expect(await ns.probe(srv.port)).toBe('refused');
    });
    expect(await netnsExists(name)).toBe(false);
  });

  test('the namespace is deleted even when the test body throws', async () => {
    let name = '';
    await expect(
      withNetns(async (ns) => {
        name = ns.name;
        await ns.startTcpServer();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(name).toMatch(/^gdtest-[0-9a-f]{8}$/);
    expect(await netnsExists(name)).toBe(false);
  });

  test('namespaces are isolated: a server in one is not reachable from another', async () => {
    const a = await createNetns();
    const b = await createNetns();
    try {
      const srv = await a.startTcpServer();
      expect(await a.probe(srv.port)).toBe('open');
      expect(await b.probe(srv.port)).toBe('refused');
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});
