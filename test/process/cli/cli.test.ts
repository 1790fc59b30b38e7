/**
 * The built CLI, end to end, in a temp working directory with its own gameday.yaml, state dir
 * and cache: help and version, list, show, unknown scenarios, inject refusals, status.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, ROOT, runCli } from '../../helpers/cli.js';

const SCENARIOS = resolve(import.meta.dirname, '../../fixtures/scenarios');
let tmp: string;
let env: NodeJS.ProcessEnv;
let state: string;
let markers: string;

const gd = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: tmp, env: { ...env, ...extra } });

beforeAll(async () => {
  await ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'gd-cli-'));
  state = join(tmp, 'state');
  markers = join(tmp, 'markers');
  mkdirSync(join(tmp, 'cache'));
  writeFileSync(
    join(tmp, 'gameday.yaml'),
    ['environments:', '  lab:', '    critical: false', '  prod:', '    description: the real thing', '    critical: true', ''].join('\n'),
  );
  env = cliEnv({ state, cache: join(tmp, 'cache') }, { GAMEDAY_ENABLE_TEST_INJECTORS: '1' });
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

describe('help and version', () => {
  it('--help lists every command and exits 0', () => {
    const r = gd(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['list', 'show', 'validate', 'plan', 'run', 'inject', 'status', 'halt', 'recover', 'report', 'sandbox']) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.stdout).not.toMatch(/_reap|_keep-deadline/);
  });

  it('--version and -V print the package version and exit 0', () => {
    for (const flag of ['--version', '-V']) {
      const r = gd([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    }
  });

  it('the launcher\'s --help (the text the build wrote) is exactly what commander prints for the same table', () => {
    // bin/gameday.js prints dist/bundle/root-help.txt without loading the CLI; the bundle's main prints commander's
    const viaCommander = spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(join(ROOT, 'dist/bundle/main.js'))}); process.exitCode = await main(['--help']);`], { cwd: tmp, env, encoding: 'utf8' });
    expect(viaCommander.status, viaCommander.stderr).toBe(0);
    for (const flag of ['--help', '-h']) {
      const r = gd([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(viaCommander.stdout);
    }
    expect(viaCommander.stdout).toMatch(/^Usage: gameday \[options\] \[command\]/);
  });

  it('a command’s --help exits 0', () => {
    const r = gd(['inject', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--target <k=v,\.\.\.>/);
  });

  it('an unknown command or flag is a usage error: exit 2', () => {
    expect(gd(['explode']).code).toBe(2);
    expect(gd(['list', '--bogus']).code).toBe(2);
  });
});

describe('list', () => {
  it('--json lists the valid scenarios with their kinds, reversibility and difficulty', () => {
    const r = gd(['list', '--json', '--dir', SCENARIOS]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: 'checkout-pods-down', title: 'Checkout pods keep dying', kinds: ['k8s.pod-kill'], reversible: false, tabletop: false, difficulty: 'easy', tags: ['kubernetes', 'checkout'] },
      { id: 'tabletop-dns', title: 'DNS outage (tabletop)', kinds: [], reversible: true, tabletop: true, difficulty: 'medium', tags: [] },
    ]);
  });

  it('prints a table', () => {
    const r = gd(['list', '--dir', SCENARIOS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+TITLE\s+FAULTS\s+REVERSIBLE\s+DIFFICULTY$/m);
    expect(r.stdout).toMatch(/^checkout-pods-down\s+Checkout pods keep dying\s+k8s\.pod-kill\s+one-shot\s+easy$/m);
    expect(r.stdout).toMatch(/^tabletop-dns\s+DNS outage \(tabletop\)\s+\(tabletop\)\s+—\s+medium$/m);
  });

  it('skips invalid scenarios with their first problem and exits 2', () => {
    const r = gd(['list', '--dir', resolve(import.meta.dirname, '../../fixtures/broken-scenarios')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/skipped invalid .*wrong-types\.yaml:2:8: title: expected text, got number \(\+3 more; see gameday validate\)/);
    noStack(r.stderr);
  });

  it('--kinds lists every fault kind (and the test kind when enabled)', () => {
    const r = gd(['list', '--kinds', '--json']);
    expect(r.code).toBe(0);
    const kinds = (JSON.parse(r.stdout) as { kind: string; reversible: boolean }[]).map((k) => [k.kind, k.reversible]);
    expect(kinds).toEqual([
      ['k8s.pod-kill', false],
      ['k8s.scale', true],
      ['k8s.service-selector', true],
      ['k8s.node-drain', true],
      ['node.iptables', true],
      ['aws.elbv2-delete', true],
      ['aws.rds-failover', false],
      ['aws.ec2-stop', true],
      ['aws.ec2-terminate', false],
      ['aws.route53-weight', true],
      ['aws.mq-reboot', false],
      ['test.marker', true],
    ]);
    const table = gd(['list', '--kinds'], { GAMEDAY_ENABLE_TEST_INJECTORS: '0' });
    expect(table.stdout).toMatch(/^KIND\s+REVERSIBLE\s+WHAT IT DOES$/m);
    expect(table.stdout).toMatch(/^k8s\.pod-kill\s+one-shot\s/m);
    expect(table.stdout).not.toMatch(/test\.marker/);
  });
});

describe('show', () => {
  it('shows the facilitator’s view: summary, briefing, faults, probes, hints, objectives, runbook', () => {
    const r = gd(['show', 'checkout-pods-down', '--dir', SCENARIOS]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = r.stdout;
    expect(o).toMatch(/^Checkout pods keep dying {2}\(checkout-pods-down, easy, kubernetes, checkout\)$/m);
    expect(o).toMatch(/FACILITATOR ONLY — what breaks and why\n {2}We kill half of the checkout pods\./);
    expect(o).toMatch(/Briefing \(read to the players\)\n {2}Oh no! Checkout is down! What could it be\?/);
    expect(o).toMatch(/^ {2}1\. k8s\.pod-kill namespace=shop,selector=app=checkout mode="percent" percent=50$/m);
    expect(o).toMatch(/^ {5}one-shot \(nothing to revert\)$/m);
    expect(o).toMatch(/^ {2}- checkout answers \(http\)$/m);
    expect(o).toMatch(/^ {2}1\. \[on demand\] What does `kubectl get pods` say\?$/m);
    expect(o).toMatch(/^ {2}2\. \[after 5m00s\] Look at the readiness probe\.$/m);
    expect(o).toMatch(/^ {2}detect within 5m00s$/m);
    expect(o).toMatch(/^ {2}recover within 15m00s$/m);
    expect(o).toMatch(/^Runbook: runbooks\/checkout\.md#pods-not-ready$/m);
  });

  it('--runbook prints the runbook too; a tabletop says so', () => {
    const r = gd(['show', 'tabletop-dns', '--dir', SCENARIOS, '--runbook']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/none: a tabletop drill/);
    expect(r.stdout).toMatch(/^## Pods not ready$/m);
  });

  it('accepts a path to a scenario file', () => {
    const r = gd(['show', join(SCENARIOS, 'tabletop-dns.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DNS outage \(tabletop\)/);
  });

  it('an unknown scenario exits 2 with a hint naming the known ones, and no stack trace', () => {
    const r = gd(['show', 'checkout-explodes', '--dir', SCENARIOS]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: no scenario "checkout-explodes" in .*\/$/m);
    expect(r.stderr).toMatch(/^hint: known scenarios: checkout-pods-down, tabletop-dns$/m);
    noStack(r.stderr);
  });

  it('an invalid scenario exits 2 with its problems', () => {
    const r = gd(['show', 'wrong-types', '--dir', resolve(import.meta.dirname, '../../fixtures/broken-scenarios')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong-types\.yaml:2:8: title: expected text, got number/);
    noStack(r.stderr);
  });
});

describe('inject refusals', () => {
  const drills = () => (existsSync(join(state, 'drills')) ? readdirSync(join(state, 'drills')) : []);

  it('an unknown environment exits 2 and names the known ones', () => {
    const r = gd(['inject', 'test.marker', '--env', 'staging', '--target', `dir=${markers}`, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown environment "staging" in .*gameday\.yaml$/m);
    expect(r.stderr).toMatch(/^hint: known environments: lab, prod$/m);
    noStack(r.stderr);
    expect(drills()).toEqual([]);
  });

  it('an unknown kind exits 2 and lists the known kinds', () => {
    const r = gd(['inject', 'k8s.pod-explode', '--env', 'lab', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown fault kind "k8s\.pod-explode"$/m);
    expect(r.stderr).toMatch(/^hint: known kinds: k8s\.pod-kill, .*test\.marker$/m);
  });

  it('a critical environment exits 3, says "critical", and nothing is journaled or created', () => {
    const r = gd(['inject', 'test.marker', '--env', 'prod', '--target', `dir=${markers},names=a+b`, '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/critical/);
    expect(r.stderr).toMatch(/^error: refused by a guard, nothing was changed:$/m);
    noStack(r.stderr);
    expect(existsSync(markers)).toBe(false);
    expect(drills()).toEqual([]);
  });

  it('the same inject on a non-critical environment does create the marker (the refusal above is the guard, not a broken setup)', () => {
    const r = gd(['inject', 'test.marker', '--env', 'lab', '--target', `dir=${markers},names=ok`, '--duration', '10m', '--yes']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(existsSync(join(markers, 'ok.fault'))).toBe(true);
    const id = /drill id: (\S+)/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(drills()).toEqual([`${id}.jsonl`]);
    // status now lists it; recover cleans it up (and stops the test from leaving a fault behind)
    const st = gd(['status', '--json']);
    expect(st.code).toBe(0);
    expect((JSON.parse(st.stdout) as { drills: { drillId: string }[] }).drills.map((d) => d.drillId)).toEqual([id]);
    const rec = gd(['recover', id!]);
    expect(rec.code).toBe(0);
    expect(existsSync(join(markers, 'ok.fault'))).toBe(false);
  });

  it('bad --target / --duration are usage errors: exit 2', () => {
    expect(gd(['inject', 'test.marker', '--env', 'lab', '--target', 'nodir', '--yes']).code).toBe(2);
    const r = gd(['inject', 'test.marker', '--env', 'lab', '--target', `dir=${markers}`, '--duration', 'soon', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--duration: not a duration: "soon"/);
  });
});

describe('status', () => {
  it('with no drills: "no active drills", exit 0; --json is empty', () => {
    const fresh = { ...env, GAMEDAY_STATE_DIR: join(tmp, 'state-empty') };
    const r = runCli(['status'], { cwd: tmp, env: fresh });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('no active drills');
    const j = runCli(['status', '--json'], { cwd: tmp, env: fresh });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ halted: [], drills: [] });
  });
});
