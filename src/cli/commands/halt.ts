/**
 * `gameday halt`: the one button. Sets the halt flag first (so nothing new starts while we
 * revert), then reverts every active fault found in the journals. Idempotent.
 */
import { buildPorts } from '../../adapters/ports.js';
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
  if (opts.clear) {
    halt.clear(env);
    ctx.out.line(p.green(`✓ halt flag cleared${env ? ` for ${env}` : ''}: drills may run again`));
    const still = halt.state(env);
    if (still.halted) ctx.out.line(p.yellow(`! still halted by the ${still.scope} flag${still.reason ? ` (${still.reason})` : ''}`));
    return EXIT.ok;
  }
  halt.set(env, (opts.reason as string | undefined) ?? 'gameday halt');
  ctx.out.line(p.bold(`■ halt flag set${env ? ` for ${env}` : ' for every environment'}: new drills are refused until \`gameday halt --clear\``));
  const host = new LineHost(ctx.out);
  // Ctrl-C / SIGTERM stops waiting at once; what is not reverted stays active and is listed
  const results = await haltAll(env, { store: journals, config, host, buildPorts, cancel: ctx.signal });
  const reverted = results.flatMap((r) => r.results).filter((r) => r.outcome === 'reverted').length;
  const left = unfinished(results).length;
  ctx.out.line(results.length === 0 ? p.green('✓ nothing was active') : (left ? p.yellow : p.green)(`${left ? '!' : '✓'} ${results.length} drill(s) checked, ${reverted} fault(s) reverted${left ? `, ${left} still active` : ''}`));
  assertRecovered(results, ctx.signal, `gameday halt${env ? ` --env ${env}` : ''}`);
  return EXIT.ok;
};
