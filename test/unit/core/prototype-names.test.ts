/**
 * Names a user types are never keys of a prototype (issue 16): a fault kind, environment, target
 * key or flag written as `__proto__`, `constructor`, `toString` or `hasOwnProperty` is an unknown
 * name, never a crash and never a match. Together with the lint rule in eslint.config.js (no `in`
 * or computed lookups by dynamic names in src/) this keeps every lookup an own-property one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getEnvironment, loadConfig } from '../../../src/adapters/config-store.js';
import { HaltFlag } from '../../../src/adapters/halt-flag.js';
import { parseParams, parseTargetList } from '../../../src/cli/kv.js';
import { own } from '../../../src/core/text.js';
import { checkScenarioText } from '../../../src/core/validate.js';
import { catalog, findInjector } from '../../../src/injectors/registry.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const dir = mkdtempSync(join(tmpdir(), 'gd-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prototype names are unknown names', () => {
  it.each(NAMES)('%s: no injector, no environment, no flag, no own() hit', (name) => {
    expect(findInjector(name)).toBeUndefined();
    expect(own({ a: 1 }, name)).toBeUndefined();
    const cwd = join(dir, `c-${name.replace(/_/g, 'u')}`);
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
    const loaded = loadConfig({ cwd });
    expect(() => getEnvironment(loaded, name)).toThrowError(/unknown environment/);
    const flag = new HaltFlag(join(cwd, 'state'));
    expect(flag.state(name).halted).toBe(false);
    flag.set('lab', 'x');
    expect(flag.state(name).halted).toBe(false);
  });

  it('target and param keys named like prototype members are plain keys (then refused by the injector schema)', () => {
    const t = parseTargetList('__proto__=x,constructor=y', []);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    expect(Object.keys(t).sort()).toEqual(['__proto__', 'constructor']);
    const p = parseParams(['__proto__=1', 'toString=2']);
    expect(Object.keys(p).sort()).toEqual(['__proto__', 'toString']);
    const schema = findInjector('k8s.pod-kill')!.paramsSchema;
    expect(schema.safeParse(p).success).toBe(false);
  });

  it.each(NAMES)('a scenario whose fault kind is %s gets "unknown fault kind" at its line', (name) => {
    const text = `id: s\ntitle: T\nsummary: S\nbriefing: B\nfaults:\n  - kind: "${name}"\n`;
    const r = checkScenarioText('scenarios/s.yaml', Buffer.from(text), { catalog: catalog(), runbook: () => ({ exists: false, anchors: [] }) });
    expect(r.problems).toEqual([{ file: 'scenarios/s.yaml', line: 6, col: 11, field: 'faults[0].kind', message: expect.stringMatching(new RegExp(`^unknown fault kind "${name.replace(/[$]/g, '\\$&')}"`)) }]);
  });

  it('an environment named like a prototype member in gameday.yaml is just a name', () => {
    const cwd = join(dir, 'named');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'gameday.yaml'), 'environments:\n  constructor:\n    critical: false\n');
    const loaded = loadConfig({ cwd });
    expect(getEnvironment(loaded, 'constructor')).toMatchObject({ name: 'constructor', critical: false });
    expect(() => getEnvironment(loaded, 'toString')).toThrowError(/unknown environment "toString"/);
  });
});
