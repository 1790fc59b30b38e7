/**
 * `gameday halt`: the one button. Sets the halt flag first (so nothing new starts while we
 * revert), then reverts every active fault found in the journals. Idempotent. It never reports
 * success while a journal line that may hold a fault could not be read: it reverts what it can,
 * names what it could not read, and exits non-zero.
 */
import { buildPorts } from '../../adapters/ports.js';
import { getEnvironment, type LoadedConfig } from '../../adapters/config-store.js';
import type { HaltFlagPort, JournalPort } from '../../ports/journal.js';
import { own } from '../../core/text.js';
import { assertRecovered, haltAll, unfinished } from '../../runner/recover.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LineHost } from '../hosts/line-host.js';
import { paint } from '../output.js';
import { stateOf } from '../state.js';

export const run: CommandRun = async (ctx, _args, opts) => {
  const { config, journals, halt } = stateOf(ctx);
  const env = opts.env as string | undefined;
  const p = paint(ctx.out.color);
  if (env !== undefined) assertKnownEnvironment(env, config, journals, halt);
  if (opts.clear) {
    halt.clear(env);
    ctx.out.line(p.green(`✓ halt flag cleared${env ? ` for ${env}` : ''}: drills may run again`));
    const still = halt.state(env);
    if (still.halted) ctx.out.line(p.yellow(`! still halted by the ${still.scope} flag${still.reason ? ` (${still.reason})` : ''}`));
    return EXIT.ok;
  }
  // a flag that cannot be written must not stop the reverts: report it, revert, then fail
  let flagError: unknown;
  try {
    halt.set(env, (opts.reason as string | undefined) ?? 'gameday halt');
    ctx.out.line(p.bold(`■ halt flag set${env ? ` for ${env}` : ' for every environment'}: new drills are refused until \`gameday halt --clear\``));
  } catch (e) {
    flagError = e;
    ctx.out.error(p.red(`✗ ${(e as Error).message}; reverting anyway`));
  }
  const host = new LineHost(ctx.out);
  // Ctrl-C / SIGTERM stops waiting at once; what is not reverted stays active and is listed
  const results = await haltAll(env, { store: journals, config, host, buildPorts, cancel: ctx.signal });
  const drills = results.filter((r) => r.drillId !== '(drills folder)').length;
  const reverted = results.flatMap((r) => r.results).filter((r) => r.outcome === 'reverted').length;
  const left = unfinished(results).length;
  const unread = results.some((r) => r.unreadable?.length);
  if (left || unread) ctx.out.line(p.red(`✗ ${drills} drill(s) checked, ${reverted} fault(s) reverted${left ? `, ${left} still active` : ''}${unread ? '; not everything could be read' : ''} (below)`));
  else ctx.out.line(results.length === 0 ? p.green('✓ nothing was active') : p.green(`✓ ${drills} drill(s) checked, ${reverted} fault(s) reverted`));
  assertRecovered(results, ctx.signal, `gameday halt${env ? ` --env ${env}` : ''}`);
  if (flagError) throw flagError;
  return EXIT.ok;
};

/**
 * `--env` with a name no config and no journal knows would halt nothing and say all is well:
 * refuse it. A name known only from journals (an environment since removed from the config) is
 * accepted, and so is clearing a flag set for any name.
 */
function assertKnownEnvironment(env: string, config: LoadedConfig, journals: JournalPort, halt: HaltFlagPort): void {
  if (own(config.environments, env)) return;
  if (halt.list().some((f) => f.scope === env)) return;
  if (journals.list().some((id) => journals.fold(id).state.env === env)) return;
  getEnvironment(config, env); // throws NOT_FOUND with the known names as a hint
}
