// Chaos Toolkit, the Python peer our users would otherwise pick, for the benches' side-by-side
// columns: Chaos Toolkit 1.19.0 (the newest release that installs on Python 3.11) and
// chaostoolkit-kubernetes 0.39.0 from PyPI, in a virtualenv of the benches' own under
// $GAMEDAY_CACHE/bench/chaostoolkit, made the first time (about a minute) and reused after.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Chaos Toolkit in a virtualenv of the bench's own (PyPI), made once; its `chaos` executable. */
const CHAOS_VERSIONS = ['chaostoolkit==1.19.0', 'chaostoolkit-kubernetes==0.39.0'];
export function chaosToolkit(cache) {
  const venv = join(cache, 'bench', 'chaostoolkit');
  const chaos = join(venv, 'bin', 'chaos');
  const stamp = join(venv, 'installed.txt');
  if (existsSync(chaos) && existsSync(stamp) && readFileSync(stamp, 'utf8') === CHAOS_VERSIONS.join(' ')) return chaos;
  process.stderr.write(`bench: installing ${CHAOS_VERSIONS.join(' ')} into ${venv} (once)…\n`);
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(join(cache, 'bench'), { recursive: true });
  for (const [cmd, argv] of [['python3', ['-m', 'venv', venv]], [join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...CHAOS_VERSIONS]]]) {
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`bench: ${cmd} ${argv.join(' ')} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
  }
  writeFileSync(stamp, CHAOS_VERSIONS.join(' '));
  return chaos;
}

