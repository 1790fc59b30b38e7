/**
 * `test.marker`: a test-only injector whose "fault" is a marker file. It has real, observable side
 * effects (the file exists while the fault is active) so the runner, journal, halt and recover
 * can be tested end to end, including SIGKILL windows, without any backend. Registered only when
 * GAMEDAY_ENABLE_TEST_INJECTORS=1.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Injector } from '../contract.js';
import { integer } from '../../core/schema-helpers.js';

const targetSchema = z.strictObject({
  dir: z.string().min(1),
  /** comma-free names; `names=a+b+c` gives three targets */
  names: z.string().regex(/^[a-z0-9+-]+$/).default('m1'),
});
const paramsSchema = z.strictObject({
  /** pause after the intent is journaled, before the file is written (SIGKILL window 1) */
  pauseBeforeMs: integer(0, 600_000).default(0),
  /** pause after the file is written, before inject returns (SIGKILL window 2) */
  pauseAfterMs: integer(0, 600_000).default(0),
  /** fail the inject of this target name, after writing nothing */
  failOn: z.string().optional(),
  /** pause between "the marker is there" and removing it: widens the window two reverters could share */
  revertPauseMs: z.coerce.number().int().min(0).default(0),
});
type Undo = { path: string; log: string; revertPauseMs?: number };

export const testMarker: Injector<never, z.infer<typeof targetSchema>, z.infer<typeof paramsSchema>, { path: string }, Undo> = {
  kind: 'test.marker',
  title: 'Marker file (tests only)',
  description: 'Creates a marker file per target; revert removes it. For testing the runner.',
  reversible: true,
  needs: [],
  targetSchema,
  paramsSchema,
  async select(_ctx, spec) {
    const names = spec.names.split('+');
    return {
      targets: names.map((n) => ({ id: n, scope: { resource: `marker ${n}`, optedIn: true }, data: { path: join(spec.dir, `${n}.fault`) } })),
    };
  },
  async prepare(_ctx, target, params) {
    return { path: target.data.path, log: `${target.data.path}.log`, ...(params.revertPauseMs ? { revertPauseMs: params.revertPauseMs } : {}) };
  },
  async inject(ctx, target, params, undo, ref) {
    if (params.pauseBeforeMs) await ctx.sleep(params.pauseBeforeMs, ctx.signal);
    if (params.failOn && target.id === params.failOn) throw new Error(`test.marker: told to fail on ${target.id}`);
    mkdirSync(join(undo.path, '..'), { recursive: true });
    writeFileSync(undo.path, ref.drillId);
    appendFileSync(undo.log, `inject ${ref.faultId}\n`);
    if (params.pauseAfterMs) await ctx.sleep(params.pauseAfterMs, ctx.signal);
    return { path: undo.path };
  },
  async revert(ctx, undo, ref) {
    if (!existsSync(undo.path)) return { outcome: 'already-reverted' };
    if (undo.revertPauseMs) await ctx.sleep(undo.revertPauseMs, ctx.signal);
    rmSync(undo.path, { force: true });
    appendFileSync(undo.log, `revert ${ref.faultId}\n`);
    return { outcome: 'reverted' };
  },
  async verify(_ctx, undo, phase) {
    const present = existsSync(undo.path) && readFileSync(undo.path, 'utf8').length > 0;
    return phase === 'injected' ? { ok: present, detail: present ? 'marker present' : 'marker missing' } : { ok: !present, detail: present ? 'marker still present' : 'marker gone' };
  },
  describeRevert(undo, target) {
    return `remove ${undo?.path ?? target.data.path}`;
  },
};
