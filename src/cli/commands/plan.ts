/**
 * `gameday plan <scenario> --env <name>`: resolves every fault's targets (read-only) and prints the
 * blast radius, the guards' verdicts, the deadlines and what revert will do. Changes nothing and
 * writes no journal. Exit 0 when the plan is allowed, 3 when a guard would refuse it.
 */
import { buildPorts } from '../../adapters/ports.js';
import { getEnvironment } from '../../adapters/config-store.js';
import { DrillStores } from '../../adapters/journals.js';
import { parseSeed } from '../kv.js';
import { newSeed } from '../../core/random.js';
import { formatDuration } from '../../core/duration.js';
import { objectiveLine, planRows } from '../../core/plan-view.js';
import { loadScenario } from '../../drill/scenario-file.js';
import { describeProbe } from '../../probes/registry.js';
import { planJson, portsNeeded, resolvePlan } from '../../runner/plan.js';
import type { CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

export { parseSeed };

export const run: CommandRun = async (ctx, args, opts) => {
  const loaded = ctx.config();
  const env = getEnvironment(loaded, opts.env as string | undefined);
  const { scenario, file } = await loadScenario(args[0]!, { dir: String(opts.dir ?? 'scenarios'), cwd: ctx.cwd });
  const seed = parseSeed(opts.seed) ?? newSeed();
  const halt = new DrillStores(loaded.stateDir, { [env.name]: env }).halt.state(env.name);
  const ports = await buildPorts(env, portsNeeded(scenario.faults));
  const plan = await resolvePlan({ env, faults: scenario.faults, seed, halt }, { ports, signal: ctx.signal });
  const json = planJson(plan);
  if (opts.json) {
    ctx.out.line(JSON.stringify({ scenario: scenario.id, file, timeLimitMs: scenario.timeLimit ?? 30 * 60_000, objectives: scenario.objectives, steadyState: scenario.steadyState.map((p) => ({ name: p.name, type: p.type, check: describeProbe(p) })), ...json }, null, 2));
  } else {
    const p = paint(ctx.out.color);
    ctx.out.line(p.bold(`Plan: ${scenario.title} (${scenario.id}) on ${env.name}`));
    for (const row of planRows(json)) ctx.out.line(`  ${p.tone(row.tone, row.text)}`);
    ctx.out.line(`  Steady state: ${scenario.steadyState.map((s) => `${s.name} — ${describeProbe(s)}`).join('; ') || 'no probes'}`);
    ctx.out.line(`  Time limit: ${formatDuration(scenario.timeLimit ?? 30 * 60_000)}; objectives: ${objectiveLine(scenario) || 'none'}`);
    ctx.out.line(p.dim(`  Nothing was changed.${plan.ok ? ` Run it with: gameday run ${scenario.id} --env ${env.name} --seed ${seed}` : ''}`));
  }
  return plan.ok ? EXIT.ok : EXIT.refused;
};
