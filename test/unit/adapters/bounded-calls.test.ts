/**
 * Every Kubernetes and AWS call is bounded (src/adapters/aws/bounded.ts, kube/bounded.ts,
 * call-scope.ts). Against a real silent endpoint (a TCP server that accepts and never answers, as
 * a stopped process's socket does) the real SDK and the real Kubernetes client are cut as soon as
 * the call scope ends; with fakes, the no-answer error says who did not answer what and for how
 * long, creates are sent once, idempotent Kubernetes calls are retried a bounded number of times.
 * (The per-attempt timeouts themselves are shown against frozen moto and kube-apiserver processes
 * in test/integration/halt-frozen-*.test.ts.)
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsClients } from '../../../src/adapters/aws/clients.js';
import { boundSend, isCreate } from '../../../src/adapters/aws/bounded.js';
import { boundedCall } from '../../../src/adapters/kube/bounded.js';
import { createKubePort } from '../../../src/adapters/kube/index.js';
import { callInFlight, withCallScope } from '../../../src/adapters/call-scope.js';
import { GamedayError } from '../../../src/core/errors.js';
import { environmentSpec } from '../../../src/core/environment.js';

let silent: Server;
let port: number;
const sockets = new Set<Socket>();
let closed = 0;
let opened = 0;
let dir: string;
beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    opened++;
    s.resume(); // read and drop the request (so the client's close is seen), never answer
    s.on('close', () => {
      sockets.delete(s);
      closed++;
    });
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  port = (silent.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'gd-bounded-'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const scopeEndingIn = (ms: number, reason: Error) => {
  const c = new AbortController();
  setTimeout(() => c.abort(reason), ms);
  return c.signal;
};

describe('AWS calls', () => {
  it('the real SDK against a silent endpoint is cut the moment the call scope ends, with the scope’s reason', async () => {
    const clients = new AwsClients({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 3 });
    const elb = await clients.get('elbv2');
    const before = { opened, closed };
    const reason = new GamedayError('INTERRUPTED', 'interrupted by SIGTERM');
    const scope = new AbortController();
    let seen: string | undefined;
    let t0 = 0;
    const err = await withCallScope(scope.signal, async () => {
      const p = elb.send(new DescribeLoadBalancersCommand({}));
      // once the request is on the wire and unanswered, end the scope
      for (let i = 0; i < 200 && opened === before.opened; i++) await new Promise((r) => setTimeout(r, 10));
      seen = callInFlight()?.what;
      t0 = Date.now();
      scope.abort(reason);
      return p;
    }).catch((e: unknown) => e);
    expect(err).toBe(reason);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(seen).toBe(`http://127.0.0.1:${port} DescribeLoadBalancers`);
    await new Promise((r) => setTimeout(r, 100));
    expect(opened).toBeGreaterThan(before.opened);
    expect(closed).toBeGreaterThan(before.closed); // the socket was really closed, not left waiting
    await clients.destroy();
  });

  it('no answer becomes UNREACHABLE naming the endpoint, the operation, the time and the attempts; answers with an error pass through', async () => {
    const timeout = Object.assign(new Error('the request socket timed out after 10000 ms of inactivity'), { name: 'TimeoutError', $metadata: { attempts: 3 } });
    const client = boundSend({ send: async (_c?: unknown) => Promise.reject(timeout) }, async () => ({ send: async () => 'unused' }), 'http://aws.example');
    const e = (await client.send(new DescribeLoadBalancersCommand({})).catch((x: unknown) => x)) as GamedayError;
    expect(e).toBeInstanceOf(GamedayError);
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toMatch(/^http:\/\/aws\.example did not answer DescribeLoadBalancers in \d+ s \(3 attempts: the request socket timed out/);
    const answered = Object.assign(new Error('no such LB'), { name: 'LoadBalancerNotFoundException', $metadata: { httpStatusCode: 400 } });
    const c2 = boundSend({ send: async (_c?: unknown) => Promise.reject(answered) }, async () => ({ send: async () => 'unused' }), 'x');
    expect(await c2.send(new DescribeLoadBalancersCommand({})).catch((x: unknown) => x)).toBe(answered);
  });

  it('creates go through the single-attempt client (never retried blindly); reads and deletes through the retrying one', async () => {
    const sent: string[] = [];
    class CreateLoadBalancerCommand {}
    class DeleteLoadBalancerCommand {}
    const client = boundSend({ send: async (c: unknown) => void sent.push(`retrying ${(c as object).constructor.name}`) }, async () => ({ send: async (c: unknown) => void sent.push(`once ${(c as object).constructor.name}`) }), 'x');
    await client.send(new CreateLoadBalancerCommand());
    await client.send(new DeleteLoadBalancerCommand());
    await client.send(new DescribeLoadBalancersCommand({}));
    expect(sent).toEqual(['once CreateLoadBalancerCommand', 'retrying DeleteLoadBalancerCommand', 'retrying DescribeLoadBalancersCommand']);
    expect(['CreateListener', 'CreateRule', 'AddListenerCertificates', 'RunInstances'].every(isCreate)).toBe(true);
    expect(['ChangeResourceRecordSets', 'ModifyLoadBalancerAttributes', 'DeleteLoadBalancer', 'FailoverDBCluster'].some(isCreate)).toBe(false);
  });
});

describe('Kubernetes calls', () => {
  it('the real client against a silent API server is cut the moment the call scope ends', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: k\n  context: { cluster: c, user: u }\ncurrent-context: k\n`,
    );
    const env = { ...environmentSpec.parse({ critical: false, kube: { kubeconfig, context: 'k' } }), name: 'silent' };
    const kube = await createKubePort(env);
    const reason = new GamedayError('REVERT_FAILED', 'revert did not finish within 1 s');
    const t0 = Date.now();
    const err = await withCallScope(scopeEndingIn(300, reason), () => kube.listPods('shop')).catch((e: unknown) => e);
    expect(err).toBe(reason);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('no answer: idempotent calls are tried 3 times with backoff, others once, then UNREACHABLE; HTTP errors are not retried', async () => {
    const noAnswer = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' });
    let tries = 0;
    const sleeps: number[] = [];
    const fail = async () => {
      tries++;
      throw noAnswer;
    };
    const e = (await boundedCall('https://k8s.example', 'list pods in shop', true, fail, async (ms) => void sleeps.push(ms)).catch((x: unknown) => x)) as GamedayError;
    expect(tries).toBe(3);
    expect(sleeps).toEqual([250, 500]);
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toMatch(/^Kubernetes API https:\/\/k8s\.example did not answer list pods in shop in \d+ s \(3 attempts/);
    tries = 0;
    await boundedCall('s', 'create configmap x', false, fail, async () => {}).catch(() => undefined);
    expect(tries).toBe(1);
    tries = 0;
    const http = Object.assign(new Error('HTTP 500'), { code: 500 });
    const got = await boundedCall(
      's',
      'list pods',
      true,
      async () => {
        tries++;
        throw http;
      },
      async () => {},
    ).catch((x: unknown) => x);
    expect(got).toBe(http);
    expect(tries).toBe(1);
  });
});

describe('per-call signals under one scope', () => {
  it('share one listener on the scope, are all cut when it aborts, and later calls are cut at once', async () => {
    const { callSignal } = await import('../../../src/adapters/call-scope.js');
    const { EventEmitter } = await import('node:events');
    const scope = new AbortController();
    const calls = Array.from({ length: 50 }, () => callSignal(60_000, scope.signal));
    // one listener for the scope, however many calls (a listener per call tripped Node's leak warning)
    expect(EventEmitter.getEventListeners(scope.signal, 'abort')).toHaveLength(1);
    expect(calls.some((c) => c.aborted)).toBe(false);
    scope.abort(new Error('halted'));
    expect(calls.every((c) => c.aborted && (c.reason as Error).message === 'halted')).toBe(true);
    expect(callSignal(60_000, scope.signal).aborted).toBe(true);
  });

  it('a call times out by itself, with a TimeoutError naming the time, and leaves the scope alone', async () => {
    const { callSignal } = await import('../../../src/adapters/call-scope.js');
    const scope = new AbortController();
    const call = callSignal(20, scope.signal);
    await new Promise((r) => setTimeout(r, 60));
    expect(call.aborted).toBe(true);
    expect(call.reason).toMatchObject({ name: 'TimeoutError', message: 'no answer in 0 s' });
    expect(scope.signal.aborted).toBe(false);
    // the timed-out call is no longer held for the scope: aborting it now reaches only live calls
    const live = callSignal(60_000, scope.signal);
    scope.abort(new Error('end'));
    expect((call.reason as Error).name).toBe('TimeoutError');
    expect(live.aborted).toBe(true);
  });
});
