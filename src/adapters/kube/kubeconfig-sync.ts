/**
 * The connection to an environment's API server (address, CA, client certificate or token), read
 * synchronously from its kubeconfig, for the synchronous calls of the cluster journal
 * (sync-api.ts). It reads what @kubernetes/client-node's loader reads for the same environment:
 * `kube.kubeconfig` (else the first file of $KUBECONFIG that has the context, else
 * ~/.kube/config), `kube.context` (else current-context), and a pod's service account when there
 * is no kubeconfig at all (a drill in a CronJob). An `exec` credential plugin (aws eks get-token)
 * is run once, here, and its token or certificate used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';

export interface KubeConnection {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecure?: boolean;
}

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{ cluster?: Record<string, unknown> }>[];
  users?: Named<{ user?: Record<string, unknown> }>[];
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export function kubeConnectionFor(env: Environment): KubeConnection {
  const fail = (why: string, hint = 'check kube.kubeconfig and kube.context in gameday.yaml') => new GamedayError('UNREACHABLE', `cannot read kubeconfig for environment "${env.name}": ${why}`, { hint });
  const files = env.kube?.kubeconfig ? [env.kube.kubeconfig.replace(/^~(?=\/)/, homedir())] : (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (!files.length) files.push(resolve(homedir(), '.kube', 'config'));
  const present = files.filter((f) => existsSync(f));
  if (!present.length) {
    if (!env.kube?.kubeconfig && process.env.KUBERNETES_SERVICE_HOST && existsSync(`${SERVICE_ACCOUNT}/token`)) return inCluster();
    throw fail(`no kubeconfig file (${files.join(', ')})`);
  }
  for (const file of present) {
    let doc: KubeconfigFile;
    try {
      doc = (parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigFile;
    } catch (e) {
      throw fail(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    const ctxName = env.kube?.context ?? doc['current-context'];
    const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
    if (!ctx) continue;
    const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
    const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
    if (!cluster || typeof cluster.server !== 'string') throw fail(`${file}: context "${ctxName}" names cluster "${ctx.cluster ?? '?'}", which has no server`);
    return { server: cluster.server, ...clusterTls(cluster, dirname(file)), ...credentials(user, dirname(file), file, fail) };
  }
  throw fail(`context "${env.kube?.context ?? '(current-context)'}" not found in ${present.join(', ')}`);
}

function inCluster(): KubeConnection {
  const host = process.env.KUBERNETES_SERVICE_HOST!;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`, 'utf8'),
    token: readFileSync(`${SERVICE_ACCOUNT}/token`, 'utf8').trim(),
  };
}

/** `x-data` (base64) or `x` (a file, relative to the kubeconfig's folder). */
function material(obj: Record<string, unknown>, key: string, base: string): string | undefined {
  const data = obj[`${key}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
  const file = obj[key];
  return typeof file === 'string' ? readFileSync(resolve(base, file), 'utf8') : undefined;
}

function clusterTls(cluster: Record<string, unknown>, base: string): Pick<KubeConnection, 'ca' | 'insecure'> {
  const ca = material(cluster, 'certificate-authority', base);
  return { ...(ca ? { ca } : {}), ...(cluster['insecure-skip-tls-verify'] === true ? { insecure: true } : {}) };
}

function credentials(user: Record<string, unknown>, base: string, file: string, fail: (why: string) => GamedayError): Pick<KubeConnection, 'cert' | 'key' | 'token'> {
  const cert = material(user, 'client-certificate', base);
  const key = material(user, 'client-key', base);
  if (cert && key) return { cert, key };
  if (typeof user.token === 'string') return { token: user.token };
  if (typeof user.tokenFile === 'string') return { token: readFileSync(resolve(base, user.tokenFile), 'utf8').trim() };
  if (user.exec && typeof user.exec === 'object') return execCredential(user.exec as Record<string, unknown>, fail);
  throw fail(`${file}: the user has no client certificate, token or exec plugin this tool can use`);
}

/** Runs the exec credential plugin once (bounded) and takes its token or client certificate. */
function execCredential(exec: Record<string, unknown>, fail: (why: string) => GamedayError): Pick<KubeConnection, 'cert' | 'key' | 'token'> {
  const command = String(exec.command ?? '');
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const extra = Array.isArray(exec.env) ? Object.fromEntries((exec.env as { name: string; value: string }[]).map((e) => [e.name, e.value])) : {};
  let out: string;
  try {
    out = execFileSync(command, args, { env: { ...process.env, ...extra }, timeout: 30_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw fail(`the credential plugin \`${command}\` failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const status = (JSON.parse(out) as { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string } }).status ?? {};
  if (status.token) return { token: status.token };
  if (status.clientCertificateData && status.clientKeyData) return { cert: status.clientCertificateData, key: status.clientKeyData };
  throw fail(`the credential plugin \`${command}\` gave neither a token nor a client certificate`);
}
