/**
 * An AWS endpoint that cannot be reached is "cannot reach the AWS API of <env>" with exit 3, as on
 * the Kubernetes side — not a bare `connect ECONNREFUSED 127.0.0.1:1` reported as a bug (issue 16).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isConnectionError, mapUnreachable } from '../../../../src/adapters/aws/unreachable.js';
import type { Environment } from '../../../../src/core/environment.js';
import { GamedayError } from '../../../../src/core/errors.js';
import { gamedayInProcess } from '../../../helpers/in-process-cli.js';

const env = { name: 'lab', critical: false, aws: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' } } as unknown as Environment;
const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('AWS connection failures', () => {
  it('tells a connection failure from an answer of AWS', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']) expect(isConnectionError(errno(code))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: errno('ECONNREFUSED') }))).toBe(true);
    // AWS answered (even with an error): not a connection failure
    expect(isConnectionError(Object.assign(errno('ECONNRESET'), { $metadata: { httpStatusCode: 500 } }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });

  it('a port call that cannot connect throws UNREACHABLE naming the environment; other errors and sync methods pass through', async () => {
    const port = mapUnreachable(
      {
        describe: async () => Promise.reject(errno('ECONNREFUSED')),
        denied: async () => Promise.reject(Object.assign(new Error('denied'), { $metadata: { httpStatusCode: 403 } })),
        label: () => 'sync',
      },
      env,
    );
    const e = await port.describe().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GamedayError);
    expect(e).toMatchObject({ code: 'UNREACHABLE', message: 'cannot reach the AWS API of "lab" (http://127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1' });
    await expect(port.denied()).rejects.toThrowError(/^denied$/);
    expect(port.label()).toBe('sync');
  });

  const dir = mkdtempSync(join(tmpdir(), 'gd-aws-unreachable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('`gameday plan` of an AWS fault against an endpoint nobody listens on: exit 3, one line', async () => {
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(join(dir, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n    aws: { region: eu-west-1, endpoint: "http://127.0.0.1:1" }\n');
    writeFileSync(join(dir, 'scenarios', 'ec2.yaml'), 'id: ec2\ntitle: T\nsummary: S\nbriefing: B\nfaults:\n  - kind: aws.ec2-stop\n    target: { name: web-1 }\n    duration: 5m\n');
    const saved = process.env.GAMEDAY_STATE_DIR;
    process.env.GAMEDAY_STATE_DIR = join(dir, 'state');
    try {
      const r = await gamedayInProcess(['plan', 'ec2', '--env', 'lab'], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^error: cannot reach the AWS API of "lab" \(http:\/\/127\.0\.0\.1:1\): .*connect ECONNREFUSED/m);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    } finally {
      process.env.GAMEDAY_STATE_DIR = saved;
    }
  }, 60_000);
});
