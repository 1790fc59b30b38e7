import { describe, expect, it } from 'vitest';
import { ALWAYS_PROTECTED_NAMESPACES, environmentSpec, type Environment } from '../../../src/core/environment.js';
import { checkGuards, refusals, type GuardFault, type GuardInput, type GuardVerdict } from '../../../src/core/guards.js';

const env = (over: Record<string, unknown> = {}, name = 'staging'): Environment => ({ ...environmentSpec.parse({ critical: false, ...over }), name });
const target = (resource: string, namespace: string | undefined, over: Partial<GuardFault['targets'][number]> = {}) => ({ resource, namespace, optedIn: true, ...over });
const fault = (over: Partial<GuardFault> = {}): GuardFault => ({
  index: 0,
  kind: 'k8s.pod-kill',
  nodeImpact: false,
  acknowledged: false,
  targets: [target('pod shop/checkout-1', 'shop')],
  ...over,
});
// Tuesday 2026-12-01 09:30 UTC
const NOW = Date.UTC(2026, 11, 1, 9, 30);
const input = (over: Partial<GuardInput> = {}): GuardInput => ({ env: env(), halt: { halted: false }, faults: [fault()], now: NOW, ...over });
const refused = (i: GuardInput) => refusals(checkGuards(i)).map((v) => [v.guard, v.fault]);
const guardsOf = (vs: GuardVerdict[]) => vs.map((v) => `${v.guard}:${v.ok ? 'ok' : 'NO'}`);

describe('checkGuards', () => {
  it('an opted-in target within the caps in a non-critical env passes every guard', () => {
    const vs = checkGuards(input());
    expect(guardsOf(vs)).toEqual(['environment:ok', 'halt-flag:ok', 'opt-in:ok', 'max-targets:ok']);
    expect(refusals(vs)).toEqual([]);
  });

  // [case, input, refused guards as [guard, fault index]]
  it.each<[string, GuardInput, [string, number | undefined][]]>([
    ['critical environment', input({ env: env({ critical: true }, 'prod') }), [['environment', undefined]]],
    ['halt flag set', input({ halt: { halted: true, reason: 'incident 42' } }), [['halt-flag', undefined]]],
    ['critical and halted: both named', input({ env: env({ critical: true }), halt: { halted: true } }), [['environment', undefined], ['halt-flag', undefined]]],
    ['kube-system is always protected', input({ faults: [fault({ targets: [target('pod kube-system/coredns-1', 'kube-system')] })] }), [['protected-namespace', 0]]],
    ...ALWAYS_PROTECTED_NAMESPACES.filter((n) => n !== 'kube-system').map((ns): [string, GuardInput, [string, number][]] => [`${ns} is always protected`, input({ faults: [fault({ targets: [target(`pod ${ns}/x`, ns)] })] }), [['protected-namespace', 0]]]),
    ['a namespace the environment protects', input({ env: env({ guards: { protectedNamespaces: ['payments'] } }), faults: [fault({ targets: [target('pod payments/api-1', 'payments')] })] }), [['protected-namespace', 0]]],
    ['namespace without the opt-in label', input({ faults: [fault({ targets: [target('pod shop/a', 'shop', { optedIn: false })] })] }), [['opt-in', 0]]],
    ['AWS resource without the opt-in tag', input({ faults: [fault({ kind: 'aws.ec2-stop', targets: [target('instance i-1', undefined, { optedIn: false })] })] }), [['opt-in', 0]]],
    ['the toolkit’s own workload', input({ faults: [fault({ targets: [target('pod shop/gameday-agent', 'shop', { toolkitOwned: true })] })] }), [['toolkit-owned', 0]]],
    ['more targets than maxTargets', input({ env: env({ guards: { maxTargets: 2 } }), faults: [fault({ targets: [1, 2, 3].map((i) => target(`pod shop/p${i}`, 'shop')) })] }), [['max-targets', 0]]],
    ['exactly maxTargets is allowed', input({ env: env({ guards: { maxTargets: 3 } }), faults: [fault({ targets: [1, 2, 3].map((i) => target(`pod shop/p${i}`, 'shop')) })] }), []],
    ['more than maxPercent of the candidates', input({ faults: [fault({ targets: [1, 2, 3].map((i) => target(`pod shop/p${i}`, 'shop')), candidates: 5 })] }), [['max-percent', 0]]],
    ['exactly maxPercent is allowed', input({ faults: [fault({ targets: [1, 2].map((i) => target(`pod shop/p${i}`, 'shop')), candidates: 4 })] }), []],
    ['node-level fault without acknowledgement', input({ faults: [fault({ kind: 'node.iptables', nodeImpact: true, targets: [target('node n1', undefined)] })] }), [['node-impact', 0]]],
    ['node-level fault acknowledged', input({ faults: [fault({ kind: 'node.iptables', nodeImpact: true, acknowledged: true, targets: [target('node n1', undefined)] })] }), []],
    ['empty selection', input({ faults: [fault({ targets: [] })] }), [['empty-selection', 0]]],
    [
      'each fault is judged on its own, and every refusal is listed',
      input({
        env: env({ guards: { maxTargets: 1 } }),
        faults: [fault(), fault({ index: 1, targets: [target('pod kube-system/a', 'kube-system', { optedIn: false }), target('pod shop/b', 'shop')] }), fault({ index: 2, targets: [] })],
      }),
      [['protected-namespace', 1], ['opt-in', 1], ['max-targets', 1], ['empty-selection', 2]],
    ],
  ])('%s', (_name, i, expected) => {
    expect(refused(i)).toEqual(expected);
  });

  it('refusals name the environment, the resource and the fix', () => {
    const crit = refusals(checkGuards(input({ env: env({ critical: true }, 'prod'), halt: { halted: true, reason: 'incident 42' } })));
    expect(crit.map((v) => v.detail)).toEqual([
      'environment "prod" is marked critical: gameday never mutates it',
      'the halt flag is set (incident 42)',
    ]);
    // a flag that cannot be read is not a flag someone set: its own words and its own advice, not "clear it"
    const [unread] = refusals(checkGuards(input({ halt: { halted: true, unreadable: true, reason: 'cannot read configmap gameday-system/gameday-halt: ECONNREFUSED' } })));
    expect(unread!.detail).toBe('the halt flag cannot be read (cannot read configmap gameday-system/gameday-halt: ECONNREFUSED): nothing starts while it cannot be told whether someone halted');
    expect(unread!.hint).toContain('make the flag readable');
    const [ns] = refusals(checkGuards(input({ faults: [fault({ targets: [target('pod kube-system/coredns-1', 'kube-system')] })] })));
    expect(ns!.detail).toBe('fault 1 (k8s.pod-kill): pod kube-system/coredns-1 is in protected namespace kube-system');
    const [opt] = refusals(checkGuards(input({ faults: [fault({ targets: [target('pod shop/a', 'shop', { optedIn: false })] })] })));
    expect(opt!.detail).toBe('fault 1 (k8s.pod-kill): pod shop/a has not opted in (namespace shop lacks the label gameday.dev/enabled=true)');
    const [tag] = refusals(checkGuards(input({ faults: [fault({ targets: [target('instance i-1', undefined, { optedIn: false })] })] })));
    expect(tag!.detail).toMatch(/lacks the tag gameday:enabled=true/);
    const [pct] = refusals(checkGuards(input({ faults: [fault({ targets: [1, 2, 3].map((i) => target(`p${i}`, 'shop')), candidates: 4 })] })));
    expect(pct!.detail).toBe('fault 1 (k8s.pod-kill): 3 of 4 (75%) exceeds the cap of 50%');
  });

  it('a critical environment is refused even with no faults (checked before any read)', () => {
    expect(refused({ env: env({ critical: true }), halt: { halted: false }, faults: [], now: NOW })).toEqual([['environment', undefined]]);
  });

  it('percent is not checked when the candidate count is unknown or zero', () => {
    const vs = checkGuards(input({ faults: [fault({ targets: [target('a', 'shop'), target('b', 'shop')], candidates: 0 })] }));
    expect(vs.some((v) => v.guard === 'max-percent')).toBe(false);
  });
});

describe('run windows', () => {
  const windowed = (windows: unknown[]) => env({ guards: { windows } });
  it('no windows: no verdict at all, faults may start any time', () => {
    expect(checkGuards(input()).some((v) => v.guard === 'run-window')).toBe(false);
  });
  it('inside a window: allowed, and the verdict names the window', () => {
    const vs = checkGuards(input({ env: windowed([{ days: 'mon-fri', from: '09:00', to: '17:00' }]) }));
    expect(vs.find((v) => v.guard === 'run-window')).toEqual({ guard: 'run-window', ok: true, detail: 'inside the run window mon-fri 09:00–17:00 UTC' });
    expect(refusals(vs)).toEqual([]);
  });
  it('outside every window: refused before any fault is looked at, naming the windows and the local time', () => {
    const e = windowed([{ days: 'mon-fri', from: '10:00', to: '16:00', timezone: 'Europe/Berlin' }, { days: 'sat', from: '10:00', to: '12:00', timezone: 'Europe/Berlin' }]);
    const vs = checkGuards({ env: e, halt: { halted: false }, faults: [], now: Date.UTC(2026, 11, 1, 8, 30) }); // 09:30 in Berlin
    expect(refusals(vs)).toEqual([
      {
        guard: 'run-window',
        ok: false,
        detail: 'outside every run window of "staging" (mon-fri 10:00–16:00 Europe/Berlin; sat 10:00–12:00 Europe/Berlin): it is Tue 09:30 in Europe/Berlin',
      },
    ]);
  });
  it('a tabletop drill (no faults) breaks nothing: windows do not apply', () => {
    const e = windowed([{ days: 'sat', from: '10:00', to: '11:00' }]);
    expect(refused({ env: e, halt: { halted: false }, faults: [], now: NOW, tabletop: true })).toEqual([]);
    expect(refused({ env: e, halt: { halted: false }, faults: [], now: NOW })).toEqual([['run-window', undefined]]);
  });
  it('any open window is enough', () => {
    const e = windowed([{ days: 'sat,sun', from: '00:00', to: '23:59' }, { days: 'tue', from: '09:00', to: '10:00' }]);
    expect(refused(input({ env: e }))).toEqual([]);
  });
});
