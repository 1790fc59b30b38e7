/** `gameday report` through the real CLI, from a journal on disk; it must not load any cloud client. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN } from '../../helpers/tmux.js';
import { sampleJournal } from '../../helpers/sample-journal.js';
import { tmp } from '../../helpers/drill.js';
import { FIXTURE_JOURNALS, FIXTURE_STATE_DIR } from '../../helpers/fixture-journals.js';
import { GOLDEN_DIR, readGolden } from '../../helpers/golden.js';

beforeAll(() => assertBuilt());

function setup() {
  const dir = tmp('gameday-report-');
  const stateDir = join(dir, 'state');
  mkdirSync(join(stateDir, 'drills'), { recursive: true });
  const id = '20261125-100000-checkout-pod-kill-abcd';
  const events = sampleJournal().map((e) => ({ ...e, drillId: id }));
  writeFileSync(join(stateDir, 'drills', `${id}.jsonl`), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const run = (...args: string[]) => spawnSync('node', ['--trace-warnings', BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GAMEDAY_STATE_DIR: stateDir, NODE_DEBUG: '' } });
  return { dir, id, run };
}

describe('gameday report', () => {
  it('prints, byte for byte, the goldens of the recorded journals (an unended drill and a tabletop)', () => {
    const { dir, run } = setup();
    for (const name of ['died', 'tabletop'] as const) {
      const id = FIXTURE_JOURNALS[name].drillId;
      copyFileSync(join(FIXTURE_STATE_DIR, 'drills', `${id}.jsonl`), join(dir, 'state', 'drills', `${id}.jsonl`));
      for (const [format, ext] of [['md', 'md'], ['junit', 'xml']] as const) {
        const r = run('report', id, '--format', format);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout, `${name}.${ext}`).toBe(readGolden(join(GOLDEN_DIR, 'report', `${name}.${ext}`)));
      }
    }
  });
  it('writes markdown to stdout and html/junit/json to files', () => {
    const { dir, id, run } = setup();
    const md = run('report', id);
    expect(md.status).toBe(0);
    expect(md.stdout).toContain('# Game day report: Checkout pods vanish');
    for (const [format, file, needle] of [['html', 'r.html', '<!doctype html>'], ['junit', 'r.xml', '<testsuites'], ['json', 'r.json', '"reportVersion": 1']] as const) {
      const r = run('report', id, '--format', format, '--out', file);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain(`wrote ${join(dir, file)}`);
      expect(readFileSync(join(dir, file), 'utf8')).toContain(needle);
    }
  });
  it('an unknown drill or format is invalid input (exit 2) with a hint', () => {
    const { id, run } = setup();
    const missing = run('report', '20991231-000000-nope-0000');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no journal for drill');
    expect(missing.stderr).toContain('gameday status');
    const bad = run('report', id, '--format', 'docx');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('use one of: md, html, json, junit');
  });
  it('loads neither the Kubernetes client, the AWS SDK, chalk nor inquirer', () => {
    const { dir, id, run } = setup();
    // a module resolve hook records every import the command makes (but node's own)
    const log = join(dir, 'imports.log');
    writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { if (!s.startsWith('node:')) appendFileSync(${JSON.stringify(log)}, s + '\\n'); return next(s, c); }\n`);
    writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const withHook = (...args: string[]) => spawnSync('node', ['--import', join(dir, 'register.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GAMEDAY_STATE_DIR: join(dir, 'state') } });
    // the hook works: a positive control
    withHook('-e', "import('chalk')");
    expect(readFileSync(log, 'utf8')).toContain('chalk');
    writeFileSync(log, '');
    const r = withHook(BIN, 'report', id, '--format', 'html');
    expect(r.status).toBe(0);
    const imported = readFileSync(log, 'utf8');
    expect(imported).toMatch(/\/chunk-[A-Z0-9]+\.js|commands\/report\.js/); // it did record the command's imports (the bundle's chunks, or dist/ modules)
    // the bundled CLI loads the Kubernetes client from dist/bundle/kube-client.js (scripts/bundle.mjs)
    expect(imported).not.toMatch(/@kubernetes\/client-node|kube-client\.js|@aws-sdk|chalk|@inquirer/);
    void run;
  });
});
