/**
 * Property (issue 16): drill journals as a careless or unlucky user leaves them — fields of the
 * wrong type or missing, prototype names as ids, another version, lines lost, doubled or cut,
 * damaged bytes, stray files — read by every reader. The parser, the fold and every report format
 * never throw; every problem names file:line; `status`, `history`, `report` and `halt` answer in
 * time with a documented exit code (in-process). And the safety property: whenever `halt` exits
 * 0, every fault that was really in place (a test.marker file) is gone — for every damage but
 * whole lines lost at the very end of the file, which leaves no trace to see.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalStore, parseJournal } from '../../../src/adapters/journal-store.js';
import { activeFaults, foldDrill, revertableFaults } from '../../../src/core/drill-state.js';
import type { DrillEventBody } from '../../../src/core/events.js';
import { REPORT_FORMATS, renderReport } from '../../../src/report/index.js';
import { summarize } from '../../../src/core/summary.js';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';
import { cliHolds, hostileValue, PROTOTYPE_NAMES } from '../../helpers/hostile.js';

const RUNS = 1000;
let root: string;
const saved = { ...process.env };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'gd-prop-journal-'));
  writeFileSync(join(root, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
  Object.assign(process.env, { GAMEDAY_ENABLE_TEST_INJECTORS: '1', GAMEDAY_CACHE: join(root, 'cache'), NO_COLOR: '1' });
  delete process.env.GAMEDAY_CONFIG;
});
afterAll(() => {
  process.env = saved;
  rmSync(root, { recursive: true, force: true });
});

const ID = '20261203-140000-prop-0001';
const T0 = Date.parse('2026-12-03T14:00:00Z');

/** A plausible drill: started, some marker faults injected (some reverted), probes, hints, marks, maybe ended. */
const drill = fc.record({
  faults: fc.array(fc.record({ reverted: fc.boolean(), injected: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  extras: fc.array(fc.constantFrom<DrillEventBody>(
    { type: 'probe-result', probe: 'site', probeType: 'http', ok: false, detail: '503' },
    { type: 'probe-result', probe: 'site', probeType: 'http', ok: true, latencyMs: 12 },
    { type: 'hint-revealed', index: 0, text: 'look', trigger: 'manual' },
    { type: 'mark', mark: 'detected' },
    { type: 'mark', mark: 'note', text: 'toString' },
    { type: 'debrief', answers: { wentWell: 'x', actionItems: ['fix @alice'] } },
    { type: 'preflight', ok: true, checks: [{ name: 'probes', ok: true }] },
  ), { maxLength: 6 }),
  ended: fc.boolean(),
});

type Damage =
  | { kind: 'set'; line: number; field: string; value: unknown }
  | { kind: 'delete-field'; line: number; field: string }
  | { kind: 'byte'; at: number; op: 'delete' | 'replace' | 'insert'; byte: number }
  | { kind: 'drop-line' | 'double-line'; line: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'v1-raw'; line: number };

const FIELDS = ['v', 'drillId', 'at', 'seq', 'type', 'record', 'faultId', 'mode', 'env', 'pid', 'host', 'ok', 'probe', 'probeType', 'reason', 'outcome', 'mark', 'answers', 'index', 'text', ...PROTOTYPE_NAMES];
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), line: fc.nat(30), field: fc.constantFrom(...FIELDS, 'record.faultId', 'record.kind', 'record.undo', 'record.reversible', 'record.deadline'), value: hostileValue }),
  fc.record({ kind: fc.constant('delete-field' as const), line: fc.nat(30), field: fc.constantFrom(...FIELDS, 'record.faultId', 'record.undo') }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(5000), op: fc.constantFrom('delete' as const, 'replace' as const, 'insert' as const), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constantFrom('drop-line' as const, 'double-line' as const), line: fc.nat(30) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(5000) }),
);

/** Applies a damage to the journal's bytes. JSON-level damages rewrite a line without its checksum (as a hand edit would). */
function damaged(bytes: Buffer, d: Damage): Buffer {
  bytes = Buffer.from(bytes);
  const lines = bytes.toString('utf8').split('\n');
  const content = lines.length - 1;
  switch (d.kind) {
    case 'set':
    case 'delete-field': {
      const i = d.line % content;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(lines[i]!) as Record<string, unknown>;
      } catch {
        return bytes;
      }
      const [head, sub] = d.field.split('.') as [string, string | undefined];
      const target = sub ? obj[head] : obj;
      if (!target || typeof target !== 'object') return bytes;
      const key = sub ?? head;
      if (d.kind === 'set') Object.defineProperty(target, key, { value: d.value, enumerable: true, configurable: true, writable: true });
      else delete (target as Record<string, unknown>)[key];
      lines[i] = JSON.stringify(obj);
      return Buffer.from(lines.join('\n'));
    }
    case 'byte': {
      const at = d.at % (bytes.length + 1);
      if (d.op === 'delete') return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      if (d.op === 'insert') return Buffer.concat([bytes.subarray(0, at), Buffer.from([d.byte]), bytes.subarray(at)]);
      const out = Buffer.from(bytes);
      if (at < out.length) out[at] = d.byte;
      return out;
    }
    case 'drop-line':
    case 'double-line': {
      // never the last line: lines lost at the very end leave no trace in the file (no checksum or
      // sequence gap can show them), which is the one damage this property does not claim to catch
      if (content < 2) return bytes;
      const i = d.line % (content - 1);
      lines.splice(i, d.kind === 'drop-line' ? 1 : 0, ...(d.kind === 'double-line' ? [lines[i]!] : []));
      return Buffer.from(lines.join('\n'));
    }
    case 'truncate': {
      // a cut at a line's end (just before or after its newline) loses whole lines, unseen (see
      // above): cut inside a line
      // (and keep the first line's newline: a file cut to nothing is a journal lost whole)
      let at = Math.max(d.at % (bytes.length + 1), bytes.indexOf(0x0a) + 2);
      if (at > 0 && at < bytes.length && bytes[at - 1] === 0x0a) at += 1;
      if (at > 0 && at < bytes.length && bytes[at] === 0x0a) at -= 1;
      return bytes.subarray(0, at);
    }
    case 'v1-raw':
      return bytes;
  }
}

describe('journals (property)', () => {
  it(`${RUNS} damaged journals: readers never throw, problems name file:line, halt never says all clear with a fault in place`, async () => {
    const started = Date.now();
    let runs = 0;
    let haltRuns = 0;
    let haltZero = 0;
    let withProblems = 0;
    await fc.assert(
      fc.asyncProperty(drill, fc.array(damage, { minLength: 1, maxLength: 3 }), fc.constantFrom('status', 'history', 'report', 'halt', 'halt', 'recover'), fc.constantFrom(...REPORT_FORMATS), async (d, damages, command, format) => {
        runs += 1;
        const project = join(root, `p${runs}`);
        const state = join(project, '.gameday');
        const markers = join(project, 'markers');
        mkdirSync(markers, { recursive: true });
        writeFileSync(join(project, 'gameday.yaml'), 'environments:\n  lab:\n    critical: false\n');
        process.env.GAMEDAY_STATE_DIR = state;

        // the journal as the tool writes it, with the marker files of the faults really in place
        const store = new JournalStore(state);
        const w = store.open(ID);
        let t = T0;
        const at = () => new Date((t += 1000));
        w.append({ type: 'drill-started', mode: 'adhoc', env: 'lab', pid: 999_999, host: 'elsewhere', title: 'prop' }, at());
        const inPlace: string[] = [];
        d.faults.forEach((f, i) => {
          const path = join(markers, `m${i}.fault`);
          w.append({ type: 'fault-intent', record: { faultId: `f${i}`, kind: 'test.marker', target: `marker m${i}`, reversible: true, deadline: T0 + 3_600_000, undo: { path, log: `${path}.log` } } }, at());
          if (!f.injected) return;
          writeFileSync(path, ID);
          w.append({ type: 'fault-injected', faultId: `f${i}` }, at());
          if (f.reverted) {
            rmSync(path);
            w.append({ type: 'fault-reverted', faultId: `f${i}`, outcome: 'reverted' }, at());
          } else inPlace.push(path);
        });
        for (const e of d.extras) w.append(e, at());
        if (d.ended) w.append({ type: 'drill-ended', reason: 'completed' }, at());
        w.close();
        const file = store.pathOf(ID);
        let bytes: Buffer = readFileSync(file);
        for (const x of damages) bytes = damaged(bytes, x);
        writeFileSync(file, bytes);

        // the readers, in-process: never throw, every problem names file:line
        const read = parseJournal(bytes.toString('utf8'), file);
        for (const p of read.problems) {
          expect(p.file).toBe(file);
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeLessThan(300);
        }
        if (read.problems.length) withProblems += 1;
        const state0 = foldDrill(ID, read.events);
        revertableFaults(state0);
        activeFaults(state0);
        summarize(read.events);
        for (const f of REPORT_FORMATS) renderReport(read.events, f);

        // and the commands, in-process
        const argv = command === 'report' ? ['report', ID, '--format', format] : command === 'recover' ? ['recover', ID] : [command];
        const r = await gamedayInProcess(argv, { cwd: project, timeoutMs: 15_000 });
        cliHolds(r, `${argv.join(' ')} after ${JSON.stringify(damages).slice(0, 300)}`);
        if (command === 'halt' || command === 'recover') {
          haltRuns += 1;
          // the safety property: exit 0 means every fault that was really in place is gone
          if (r.code === 0) {
            haltZero += 1;
            for (const p of inPlace) expect(existsSync(p), `${argv.join(' ')} exited 0 with ${p} still in place after ${JSON.stringify(damages)}:\n${r.stdout}\n${r.stderr}`).toBe(false);
          }
        }
        rmSync(project, { recursive: true, force: true });
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? 16), endOnFailure: true },
    );
    console.log(`journal: ${runs} damaged journals (${withProblems} with unreadable lines), ${haltRuns} halt/recover runs (${haltZero} exit 0) in ${Date.now() - started} ms`);
    expect(runs).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);
});
