/**
 * `gameday screen [drill-id | --latest] [--host H] [--port P]`: the room's TV page, following a
 * drill's journal live (a drill run by another process too). Given an id, that drill; without one
 * (or with --latest), the newest drill, and each newer one as it starts. Read-only. Runs until Ctrl-C.
 */
import { GamedayError } from '../../core/errors.js';
import { pause } from '../../core/clock.js';
import { loadScenarioWith } from '../../drill/scenario-file.js';
import { scenarioChecker, type ScenarioChecker } from '../../drill/scenario-store.js';
import type { CommandContext, CommandOptions, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { parsePort, RoomScreen } from '../screen.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, args, opts) => {
  // the screen follows a journal file (a cluster journal is not followed yet)
  const journals = stateOf(ctx).stores.file;
  const drillId = pickDrill(journals.list(), args[0], Boolean(opts.latest));
  if (drillId !== undefined && !journals.exists(drillId)) throw new GamedayError('NOT_FOUND', `no drill ${drillId} in ${journals.dir}`, { hint: 'see `gameday history` for the drill ids, or use --latest' });
  const latest = args[0] === undefined;
  const screen = await RoomScreen.open({ host: opts.host as string | undefined, port: parsePort(opts.port), briefingOf: briefingFrom(ctx, opts, await scenarioChecker()), onProblem: (p) => ctx.out.error(`warning: ${p.file}:${p.line}: ${p.message}`), followsLatest: latest });
  try {
    if (latest) {
      const announce = (id: string) => {
        if (id !== drillId) ctx.out.error(`now showing ${id}, the newest drill`);
      };
      screen.followNewest(journals.dir, () => journals.list(), (id) => journals.pathOf(id), announce);
      // no drill yet: the TV is switched on before the afternoon starts; the page waits for the first
      ctx.out.line(drillId ? `room screen for the newest drill (now ${drillId}): ${screen.url}` : `room screen, waiting for the first drill in ${journals.dir}: ${screen.url}`);
    } else if (drillId !== undefined) {
      screen.follow(journals.pathOf(drillId), drillId);
      ctx.out.line(`room screen for ${drillId}: ${screen.url}`);
    }
    ctx.out.error('read-only; Ctrl-C stops it');
    while (!ctx.signal.aborted) await pause(60_000, ctx.signal);
  } finally {
    await screen.close();
  }
  return EXIT.ok;
};

/** The drill to show first: the one given, else the newest (undefined: none yet, the page waits). */
function pickDrill(ids: string[], given: string | undefined, latest: boolean): string | undefined {
  if (given !== undefined && latest) throw new GamedayError('INVALID_INPUT', 'give a drill id or --latest, not both');
  return given ?? ids.at(-1);
}

/** The scenario file's briefing only (older journals lack it); any problem reading it: no briefing. */
function briefingFrom(ctx: CommandContext, opts: CommandOptions, checker: ScenarioChecker): (id: string) => string | undefined {
  return (id) => {
    try {
      return loadScenarioWith(checker, id, { dir: String(opts.dir ?? 'scenarios'), cwd: ctx.cwd }).scenario.briefing.trim();
    } catch {
      return undefined;
    }
  };
}
