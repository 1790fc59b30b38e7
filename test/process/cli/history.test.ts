/**
 * `gameday history` through the built CLI, over journals written by real drills (the test
 * injector, unattended runs and an ad-hoc inject) in a temp project.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, runCli, writeMarkerScenario } from '../../helpers/cli.js';

let tmp: string;
let env: NodeJS.ProcessEnv;
const gd = (args: string[]) => runCli(args, { cwd: tmp, env, timeoutMs: 60_000 });

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-history-'));
  mkdirSync(join(tmp, 'cache'));
  const markers = join(tmp, 'markers');
  writeFileSync(join(tmp, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
  writeMarkerScenario(tmp, 'marker-drill', [{ dir: markers, names: 'h', duration: '1s' }]);
  env = cliEnv({ state: join(tmp, 'state'), cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gameday history', () => {
  it('before any drill: says how to start one, exit 0', () => {
    const r = gd(['history']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no drills yet/m);
  });

  it('lists every drill oldest first with its result; ad-hoc injects only with --adhoc; filters', () => {
    for (let i = 0; i < 2; i++) expect(gd(['run', 'marker-drill', '--env', 'lab', '--yes']).code).toBe(0);
    const inject = gd(['inject', 'test.marker', '--env', 'lab', '--target', `dir=${join(tmp, 'm2')},names=x`, '--duration', '1s', '--wait', '--yes']);
    expect(inject.code).toBe(0);

    const j = JSON.parse(gd(['history', '--json']).stdout) as { drills: { scenario?: string; mode: string; outcome: string; startedAt: string }[] };
    expect(j.drills.map((d) => [d.scenario, d.mode, d.outcome])).toEqual([
      ['marker-drill', 'unattended', 'passed'],
      ['marker-drill', 'unattended', 'passed'],
    ]);
    expect(j.drills[0]!.startedAt <= j.drills[1]!.startedAt).toBe(true);
    const all = JSON.parse(gd(['history', '--json', '--adhoc']).stdout) as { drills: { mode: string }[] };
    expect(all.drills.map((d) => d.mode)).toEqual(['unattended', 'unattended', 'adhoc']);
    expect(JSON.parse(gd(['history', '--json', '--env', 'elsewhere']).stdout).drills).toEqual([]);

    const text = gd(['history', '--scenario', 'marker-drill']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^STARTED \(UTC\)\s+SCENARIO\s+ENV\s+MODE\s+RESULT\s+SCORE\s+DETECT\s+DIAGNOSE\s+MITIGATE\s+RECOVER\s+HINTS\s+DRILL$/m);
    expect(text.stdout.match(/marker-drill\s+lab\s+unattended\s+passed\s+100/g)).toHaveLength(2);
  });
});
