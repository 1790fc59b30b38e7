/**
 * Runs provision.sh (binaries and the moto virtualenv into the cache) with its progress lines
 * passed on, and turns a failure into an error naming the failed step and its log.
 * A warm cache makes this a no-op (each step checks its artefact's version first).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GamedayError } from '../core/errors.js';
import { imageArchivePath, SANDBOX_IMAGES } from './images.js';

export const PROVISION_STEPS = ['apt', 'moto', 'awscli', 'kwok', 'etcd', 'kube', 'node'] as const;
export type ProvisionStep = (typeof PROVISION_STEPS)[number] | 'all';

/** src/sandbox/provision.sh, from both src/sandbox (tests) and dist/sandbox (the built CLI). */
export const provisionScript = (): string => fileURLToPath(new URL('../../src/sandbox/provision.sh', import.meta.url));

export interface ProvisionFailure {
  step: string;
  log: string;
}

/** Parses the script's failure line: "[provision HH:MM:SS] FAILED: <step> (log: <path>)". */
export function parseProvisionFailure(stderr: string): ProvisionFailure | undefined {
  const lines = stderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /FAILED: (.*) \(log: ([^)]+)\)\s*$/.exec(lines[i] ?? '');
    if (m) return { step: m[1] ?? '?', log: m[2] ?? '?' };
  }
  return undefined;
}

/** The AWS CLI of the sandbox (its own virtualenv), for the runbooks' `aws …` commands. */
export const awsCliPath = (cache: string): string => join(cache, 'awscli', 'bin', 'aws');

/** The artefacts `up` needs (binaries, moto's entry point and, for real nodes, their binaries and images), missing ones first. */
export function missingArtefacts(cache: string, opts: { realNodes?: boolean } = {}): string[] {
  const bin = (n: string) => join(cache, 'bin', n);
  const control = [bin('etcd'), bin('kube-apiserver'), bin('kube-controller-manager'), bin('kube-scheduler'), bin('kubectl'), bin('kwok'), join(cache, 'venv', 'bin', 'moto_server'), awsCliPath(cache)];
  const node = opts.realNodes ? [bin('kubelet'), bin('kube-proxy'), bin('crictl'), bin('shop'), bin('coredns'), ...SANDBOX_IMAGES.map((i) => imageArchivePath(cache, i.key))] : [];
  return [...control, ...node].filter((f) => !existsSync(f));
}

export async function provision(opts: { steps?: ProvisionStep[]; cache?: string; onProgress?: (line: string) => void; signal?: AbortSignal } = {}): Promise<void> {
  const script = provisionScript();
  if (!existsSync(script)) throw new GamedayError('BACKEND_FAILED', `provisioning script not found: ${script}`, { hint: 'reinstall gameday (the package ships src/sandbox/provision.sh)' });
  const env = { ...process.env };
  if (opts.cache) env.GAMEDAY_CACHE = opts.cache;
  const child = spawn('bash', [script, ...(opts.steps ?? ['all'])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stderr += text;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) opts.onProgress?.(l);
  };
  child.stderr.on('data', onData);
  child.stdout.on('data', onData);
  const onAbort = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (c) => resolve(c ?? 1));
  }).finally(() => opts.signal?.removeEventListener('abort', onAbort));
  if (partial.trim()) opts.onProgress?.(partial);
  if (opts.signal?.aborted) throw new GamedayError('INTERRUPTED', 'provisioning interrupted');
  if (code !== 0) {
    const f = parseProvisionFailure(stderr);
    throw new GamedayError('BACKEND_FAILED', f ? `provisioning failed at step "${f.step}" (log: ${f.log})` : `provisioning failed (exit ${code}): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`, {
      hint: f ? `read ${f.log}, fix the cause, then run \`gameday sandbox provision\` again` : 'run `bash src/sandbox/provision.sh` to see the full output',
    });
  }
}
