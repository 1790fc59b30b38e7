/** `gameday sandbox up|status|down|provision`: a thin shell over src/sandbox/. */
import { GamedayError } from '../../core/errors.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const sub = args[0];
  switch (sub) {
    case 'up':
      return up(ctx, opts.nodes);
    case 'status':
      return status(ctx, Boolean(opts.json));
    case 'down':
      return down(ctx);
    case 'provision':
      return provisionOnly(ctx);
    default:
      throw new GamedayError('INVALID_INPUT', `unknown sandbox command "${sub ?? ''}"`, { hint: 'use one of: up, status, down, provision' });
  }
};

const progress = (ctx: CommandContext) => (m: string) => ctx.out.error(paint(ctx.out.color && process.stderr.isTTY).dim(`· ${m}`));

async function up(ctx: CommandContext, nodesOpt: unknown): Promise<number> {
  const nodes = nodesOpt === undefined ? undefined : Number(nodesOpt);
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 100)) {
    throw new GamedayError('INVALID_INPUT', `--nodes must be a whole number from 1 to 100 (got "${String(nodesOpt)}")`);
  }
  const { sandboxUp } = await import('../../sandbox/sandbox.js');
  const p = paint(ctx.out.color);
  const res = await sandboxUp({ nodes, signal: ctx.signal, onProgress: progress(ctx) });
  const i = res.info;
  ctx.out.line(res.reused ? `${p.green('✓')} the sandbox is already running (checked in ${res.seconds.toFixed(1)} s)` : `${p.green('✓')} sandbox up in ${res.seconds.toFixed(1)} s`);
  if (res.created.length && res.reused) ctx.out.line(`  created: ${res.created.join(', ')}`);
  ctx.out.line('');
  ctx.out.line(`  environment   ${p.bold(i.envName)} (non-critical)  → gameday plan <scenario> --env ${i.envName}`);
  ctx.out.line(`  kube context  ${i.kubeContext}`);
  ctx.out.line(`  kubeconfig    ${i.kubeconfig}  (beside yours; ~/.kube/config is untouched)`);
  ctx.out.line(`  API server    ${i.apiServer}`);
  ctx.out.line(`  AWS endpoint  ${i.aws.endpoint}  (region ${i.aws.region})`);
  ctx.out.line(`  nodes         ${i.nodes.join(', ')}`);
  ctx.out.line('');
  ctx.out.line('  try:');
  ctx.out.line(`    kubectl --kubeconfig ${i.kubeconfig} --context ${i.kubeContext} get pods -n shop`);
  ctx.out.line(`    export KUBECONFIG=${i.kubeconfig}   # then: kubectl --context ${i.kubeContext} get nodes`);
  ctx.out.line(`    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --endpoint-url ${i.aws.endpoint} --region ${i.aws.region} elbv2 describe-load-balancers`);
  ctx.out.line('    gameday sandbox status · gameday sandbox down');
  return EXIT.ok;
}

async function status(ctx: CommandContext, json: boolean): Promise<number> {
  const { sandboxStatus } = await import('../../sandbox/sandbox.js');
  const s = await sandboxStatus();
  if (json) {
    ctx.out.line(
      JSON.stringify(
        {
          running: s.running,
          healthy: s.healthy,
          envName: s.info?.envName ?? 'sandbox',
          kubeContext: s.info?.kubeContext,
          kubeconfig: s.info?.kubeconfig,
          apiServer: s.info?.apiServer,
          aws: s.info?.aws,
          nodes: s.info?.nodes,
          kube: s.kube,
          components: s.components,
          world: s.info?.world,
        },
        null,
        2,
      ),
    );
    return s.healthy ? EXIT.ok : EXIT.refused;
  }
  const p = paint(ctx.out.color);
  if (!s.running) {
    ctx.out.line('the sandbox is not running — start it with `gameday sandbox up`');
    return EXIT.refused;
  }
  ctx.out.line(s.healthy ? `${p.green('●')} sandbox healthy` : `${p.red('●')} sandbox unhealthy — \`gameday sandbox up\` restarts it`);
  for (const c of s.components) ctx.out.line(`  ${c.healthy ? p.green('✓') : p.red('✗')} ${c.name.padEnd(24)} ${c.detail}${c.rssKiB ? p.dim(`  ${Math.round(c.rssKiB / 1024)} MiB`) : ''}`);
  if (s.kube) ctx.out.line(`  nodes Ready ${s.kube.nodesReady}/${s.kube.nodes} · shop/checkout ${s.kube.checkoutReady} · shop/catalog ${s.kube.catalogReady}`);
  if (s.info) {
    ctx.out.line(`  kubeconfig ${s.info.kubeconfig} (context ${s.info.kubeContext}) · API ${s.info.apiServer}`);
    ctx.out.line(`  AWS ${s.info.aws.endpoint} (${s.info.aws.region}) · environment "${s.info.envName}"`);
  }
  return s.healthy ? EXIT.ok : EXIT.refused;
}

async function down(ctx: CommandContext): Promise<number> {
  const { sandboxDown } = await import('../../sandbox/sandbox.js');
  const r = await sandboxDown();
  if (!r.wasRunning && r.stopped.length === 0) ctx.out.line('the sandbox was not running (state removed, if any)');
  else ctx.out.line(`stopped ${r.stopped.length} process(es)${r.stopped.length ? `: ${r.stopped.join(', ')}` : ''}; state and the \`sandbox\` environment removed`);
  return EXIT.ok;
}

async function provisionOnly(ctx: CommandContext): Promise<number> {
  const { provision } = await import('../../sandbox/provision.js');
  const started = Date.now();
  await provision({ onProgress: progress(ctx), signal: ctx.signal });
  ctx.out.line(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s (binaries and virtualenv in the cache)`);
  return EXIT.ok;
}
