/**
 * `gameday run <scenario> --env <name> [--yes]`: the facilitated drill (src/drill/engine.ts).
 * On a terminal: the interactive host (prompts, live panel, keys). With --yes: unattended, every
 * default taken, plain log lines; the drill ends once steady state holds with nothing active.
 * Without a terminal and without --yes: refused (exit 2) — nobody could answer the prompts.
 */
import { assertReportWritable, writeReport } from '../report-file.js';
import { resolve } from 'node:path';
import { getEnvironment } from '../../adapters/config-store.js';
import { buildPorts } from '../../adapters/ports.js';
import { buildProbePorts } from '../../adapters/probes/index.js';
import { describeError, GamedayError } from '../../core/errors.js';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, silentNotifier, WebhookNotifier } from '../../adapters/webhook.js';
import { runDrill } from '../../drill/engine.js';
import type { DrillHost } from '../../drill/host.js';
import { loadScenario } from '../../drill/scenario-file.js';
import { summarize } from '../../core/summary.js';
import type { DrillEvent } from '../../core/events.js';
import { formatFromFile, renderers } from '../../report/index.js';
import { UnattendedHost } from '../hosts/unattended.js';
import type { CommandContext, CommandOptions, CommandRun } from '../context.js';
import { JournalStore } from '../../adapters/journal-store.js';
import { parsePort, screenForRun } from '../screen.js';
import { EXIT } from '../exit-codes.js';
import { parseSeed } from '../kv.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const yes = Boolean(opts.yes);
  const tty = ctx.stdinIsTTY && ctx.out.isTTY;
  if (!yes && !tty) {
    throw new GamedayError('INVALID_INPUT', '`gameday run` needs a terminal: the facilitator answers prompts and presses keys during the drill', {
      hint: 'run it in a terminal, or add --yes for an unattended drill that takes every default (CI, CronJob)',
    });
  }
  const loaded = ctx.config();
  const env = getEnvironment(loaded, opts.env as string | undefined);
  const { scenario, root } = await loadScenario(args[0]!, { dir: String(opts.dir ?? 'scenarios'), cwd: ctx.cwd });
  const reportFile = opts.report ? resolve(ctx.cwd, String(opts.report)) : undefined;
  const reportFormat = reportFile ? formatFromFile(reportFile) : undefined;
  if (reportFile) assertReportWritable(reportFile); // found out now, not after the drill
  const seed = parseSeed(opts.seed);

  let host: DrillHost;
  if (yes) host = new UnattendedHost(ctx.out);
  else {
    const { TerminalHost } = await import('../hosts/terminal.js');
    host = new TerminalHost({ stdin: process.stdin, stdout: process.stdout, color: ctx.out.color });
  }
  const notifier = env.notify ? new WebhookNotifier(env.notify.webhook, env.notify.timeout ?? DEFAULT_WEBHOOK_TIMEOUT_MS, (m) => ctx.out.error(`warning: ${m} (the drill carries on)`)) : silentNotifier;
  const verdict = (drillId: string | undefined, text: string, reported: boolean) =>
    drillId && notifier.notify({ kind: 'verdict', drillId, env: env.name, scenario: scenario.id, text: `${text}${reported ? `; report: ${reportFile}` : ''}` });
  const screen = await roomScreen(ctx, opts, host, loaded.stateDir);
  host = screen?.host ?? host;
  let result;
  try {
    result = await runDrill(
      { scenario, env, mode: yes ? 'unattended' : 'facilitated', stateDir: loaded.stateDir, root, seed },
      { host, signal: ctx.signal, buildPorts, buildProbePorts, notifier, clusterLock: env.kube ? (await import('../../adapters/kube/cluster-lease.js')).clusterLock : undefined },
    );
  } catch (e) {
    // a drill that started but did not complete still gets its report (CI wants the failure)
    const journaled = e as { events?: DrillEvent[]; drillId?: string };
    const reported = Boolean(reportFile && reportFormat && journaled.events?.length);
    if (reported) {
      writeReport(reportFile!, renderers[reportFormat!](summarize(journaled.events!)));
      ctx.out.error(`report written to ${reportFile}`);
    }
    verdict(journaled.drillId, `failed: ${describeError(e)}`, reported);
    await notifier.flush(); // bounded by the webhook's timeout
    throw e;
  } finally {
    await screen?.screen.close();
  }
  const reported = Boolean(result.summary && reportFile && reportFormat);
  if (reported) {
    writeReport(reportFile!, renderers[reportFormat!](result.summary!));
    ctx.out.error(`report written to ${reportFile}`);
  }
  verdict(result.drillId, result.outcome === 'objectives-failed' ? 'failed: objectives missed' : result.outcome === 'declined' ? 'not started' : 'passed', reported);
  await notifier.flush();
  if (result.outcome === 'objectives-failed') return EXIT.objectivesFailed;
  return EXIT.ok;
};

/** `--screen`: the room's page, attached to the drill's journal as soon as it starts. */
async function roomScreen(ctx: CommandContext, opts: CommandOptions, host: DrillHost, stateDir: string) {
  if (!opts.screen && opts.screenHost === undefined && opts.screenPort === undefined) return undefined;
  const journals = new JournalStore(stateDir);
  const opened = await screenForRun(host, { host: opts.screenHost as string | undefined, port: parsePort(opts.screenPort) }, (id) => journals.pathOf(id));
  ctx.out.line(`room screen: ${opened.screen.url}`);
  return opened;
}
