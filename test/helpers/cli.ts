/**
 * Shared by the CLI, light-import and journal-crash tests: build dist/ when it is older than
 * src/ (once, under a lock, since test files run in parallel), and run the built CLI in a clean
 * environment (its own cwd, state dir and cache, so nothing of the machine leaks in).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/gameday.js');
const LOCK = join(ROOT, 'node_modules/.cache/gameday-test-build.lock');

function staleOutputs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), p)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(p).mtimeMs) out.push(relative(ROOT, p));
      }
    }
  };
  walk(join(ROOT, 'src'));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds dist/ with tsc when any source is newer than its output. Type errors elsewhere do not stop the emit. */
export async function ensureBuilt(): Promise<void> {
  if (staleOutputs().length === 0) return;
  mkdirSync(join(LOCK, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // another test file is building: wait for it, then trust its build
      const since = existsSync(LOCK) ? Date.now() - statSync(LOCK).mtimeMs : 0;
      if (since > 300_000) rmSync(LOCK, { recursive: true, force: true }); // a builder that died
      else {
        while (existsSync(LOCK)) await sleep(250);
        return;
      }
    }
  }
  try {
    await new Promise<void>((done) => {
      const tsc = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
      tsc.on('exit', () => done());
      tsc.on('error', () => done());
    });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('npm run build produced no dist/cli/main.js');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment for the CLI: no GAMEDAY_* from the machine, no colours. */
export function cliEnv(dirs: { state: string; cache: string }, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GAMEDAY_') && !k.startsWith('AWS_') && k !== 'KUBECONFIG' && k !== 'FORCE_COLOR') env[k] = v;
  return { ...env, NO_COLOR: '1', GAMEDAY_STATE_DIR: dirs.state, GAMEDAY_CACHE: dirs.cache, ...extra };
}

export function runCli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; nodeArgs?: string[]; timeoutMs?: number }): CliResult {
  const r = spawnSync(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes `scenarios/<id>.yaml` under `dir`: a drill of test.marker faults (the test injector), for CLI tests. */
export function writeMarkerScenario(dir: string, id: string, faults: { dir: string; names: string; duration: string; at?: string }[], timeLimit = '3s'): void {
  mkdirSync(join(dir, 'scenarios'), { recursive: true });
  writeFileSync(
    join(dir, 'scenarios', `${id}.yaml`),
    [
      `id: ${id}`,
      'title: Marker files appear',
      'summary: The test injector writes marker files.',
      'briefing: Something changed on disk.',
      'difficulty: easy',
      'faults:',
      ...faults.map((f) => `  - { kind: test.marker, target: { dir: ${JSON.stringify(f.dir)}, names: ${f.names} }, duration: ${f.duration}${f.at ? `, at: ${f.at}` : ''} }`),
      `timeLimit: ${timeLimit}`,
      '',
    ].join('\n'),
  );
}
