/**
 * `gameday history` through the built CLI, over journals written by real drills (the test
 * injector, unattended runs and an ad-hoc inject) in a temp project.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import type { DrillEventBody } from '../../../src/core/events.js';
import { cliEnv, ensureBuilt, runCli, writeMarkerScenario } from '../../helpers/cli.js';
import { recordedSteps } from '../../helpers/recorded-drill.js';

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

/** The recorded shop drill on a given day, written by the real journal writer, its debrief's answers replaced. */
function recordShopDrill(stateDir: string, day: string, answers: Record<string, string | string[]>): void {
  const start = Date.parse(`${day}T14:00:00.000Z`);
  const writer = new JournalStore(stateDir).open(`${day.replace(/-/g, '')}-140000-shop-outage-abcd`);
  for (const step of recordedSteps(start)) {
    for (const body of step.bodies) writer.append(body.type === 'debrief' ? ({ type: 'debrief', answers } satisfies DrillEventBody) : body, new Date(start + step.at * 1000));
  }
  writer.close();
}

describe('gameday history: action items', () => {
  it('lists open items per scenario with owners, and marks the one a later debrief closed', () => {
    const state = join(tmp, 'items-state');
    recordShopDrill(state, '2026-11-04', { actionItems: ['alert on front door 5xx @sam', 'runbook: re-create the ALB @ada'] });
    recordShopDrill(state, '2026-11-11', { actionItems: ['page the on-call'], closedItems: ['runbook: re-create the ALB'] });
    const items = { ...env, GAMEDAY_STATE_DIR: state, NO_COLOR: '1' };
    const text = runCli(['history'], { cwd: tmp, env: items, timeoutMs: 60_000 });
    expect(text.code).toBe(0);
    const section = text.stdout.slice(text.stdout.indexOf('Action items from the debriefs'));
    expect(section.split('\n').slice(1, 5)).toEqual([
      '  shop-outage',
      '    open    page the on-call  (no owner)  (2026-11-11)',
      '    open    alert on front door 5xx  @sam  (2026-11-04)',
      '    closed  runbook: re-create the ALB  @ada  (2026-11-04; done by the drill of 2026-11-11, 20261111-140000-shop-outage-abcd)',
    ]);
    const json = JSON.parse(runCli(['history', '--json'], { cwd: tmp, env: items, timeoutMs: 60_000 }).stdout) as { actionItems: { task: string; closedBy?: { drillId: string } }[] };
    expect(json.actionItems.map((i) => [i.task, i.closedBy?.drillId])).toEqual([['page the on-call', undefined], ['alert on front door 5xx', undefined], ['runbook: re-create the ALB', '20261111-140000-shop-outage-abcd']]);
    const out = join(tmp, 'history.html');
    expect(runCli(['history', '--format', 'html', '--out', out], { cwd: tmp, env: items, timeoutMs: 60_000 }).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<tr class="open">/g)).toHaveLength(2);
    expect(html).toMatch(/<tr class="closed"><td>shop-outage<\/td><td><span class="pill ok" [^>]*>closed 2026-11-11<\/span><\/td><td>runbook: re-create the ALB<\/td><td>ada<\/td>/);
  });
});
