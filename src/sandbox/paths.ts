/**
 * Where the sandbox keeps things. Binaries and the virtualenv live in the cache (shared with
 * provisioning); the running sandbox's state (pids, ports, PKI, etcd data, logs, kubeconfig)
 * lives in <cache>/sandbox/ and is removed by `gameday sandbox down`.
 */
import { join } from 'node:path';
import { cacheDir, sandboxEnvironmentFile } from '../adapters/cache-dir.js';

export interface SandboxPaths {
  cache: string;
  bin: string;
  venv: string;
  provisionLogs: string;
  /** <cache>/sandbox: everything the running sandbox owns */
  state: string;
  stateFile: string;
  lockFile: string;
  logs: string;
  pki: string;
  etcdData: string;
  kubeconfig: string;
  kwokConfig: string;
  environmentFile: string;
}

export function sandboxPaths(cache: string = cacheDir()): SandboxPaths {
  const state = join(cache, 'sandbox');
  return {
    cache,
    bin: join(cache, 'bin'),
    venv: join(cache, 'venv'),
    provisionLogs: join(cache, 'logs'),
    state,
    stateFile: join(state, 'state.json'),
    lockFile: join(cache, '.sandbox.lock'),
    logs: join(state, 'logs'),
    pki: join(state, 'pki'),
    etcdData: join(state, 'etcd-data'),
    kubeconfig: join(state, 'kubeconfig'),
    kwokConfig: join(state, 'kwok.yaml'),
    // the same file the config loader reads: only when the cache is the default one
    environmentFile: cache === cacheDir() ? sandboxEnvironmentFile() : join(state, 'environment.json'),
  };
}

export const binary = (p: SandboxPaths, name: string): string => join(p.bin, name);
export const motoServerBin = (p: SandboxPaths): string => join(p.venv, 'bin', 'moto_server');
