/** `gameday sandbox up|status|shell|aws|down|provision`: a thin shell over src/sandbox/. */
import { GamedayError } from '../../core/errors.js';
import type { CommandContext, CommandRun } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { paint } from '../output.js';

export const run: CommandRun = async (ctx, args, opts) => {
  const sub = args[0];
  switch (sub) {
    case 'up':
      return up(ctx, opts.nodes, opts.realNodes);
    case 'shell': {
      // `shell [NODE] [-- COMMAND…]`: a first word that names no node (sandbox-real-N) starts the command
      const names = args[1] !== undefined && /^sandbox-real-\d+$/.test(args[1]);
      return shell(ctx, names ? args[1] : undefined, names ? args.slice(2) : args.slice(1));
    }
    case 'aws':
      return aws(args.slice(1));
    case 'status':
      return status(ctx, Boolean(opts.json));
    case 'down':
      return down(ctx);
    case 'provision':
      return provisionOnly(ctx);
    default:
      throw new GamedayError('INVALID_INPUT', `unknown sandbox command "${sub ?? ''}"`, { hint: 'use one of: up, status, shell, aws, down, provision' });
  }
};

const progress = (ctx: CommandContext) => (m: string) => ctx.out.error(paint(ctx.out.color && process.stderr.isTTY).dim(`· ${m}`));

/** A whole number from the command line, strictly (no "1e3", "0x10", " 2"). */
function wholeNumber(flag: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new GamedayError('INVALID_INPUT', `${flag} must be a whole number from ${min} to ${max} (got "${text.slice(0, 40)}")`);
  return n;
}

async function up(ctx: CommandContext, nodesOpt: unknown, realNodesOpt: unknown): Promise<number> {
  const nodes = wholeNumber('--nodes', nodesOpt, 1, 100);
  const { MAX_REAL_NODES } = await import('../../sandbox/real-node/layout.js');
  const realNodes = wholeNumber('--real-nodes', realNodesOpt, 0, MAX_REAL_NODES);
  const { sandboxUp } = await import('../../sandbox/sandbox.js');
  const p = paint(ctx.out.color);
  const res = await sandboxUp({ nodes, realNodes, signal: ctx.signal, onProgress: progress(ctx) });
  const i = res.info;
  ctx.out.line(res.reused ? `${p.green('✓')} the sandbox is already running (checked in ${res.seconds.toFixed(1)} s)` : `${p.green('✓')} sandbox up in ${res.seconds.toFixed(1)} s`);
  if (res.created.length && res.reused) ctx.out.line(`  created: ${res.created.join(', ')}`);
  ctx.out.line('');
  ctx.out.line(`  environment   ${p.bold(i.envName)} (non-critical)  → gameday plan <scenario> --env ${i.envName}`);
  ctx.out.line(`  kube context  ${i.kubeContext}`);
  ctx.out.line(`  kubeconfig    ${i.kubeconfig}  (beside yours; ~/.kube/config is untouched)`);
  ctx.out.line(`  API server    ${i.apiServer}`);
  ctx.out.line(`  AWS endpoint  ${i.aws.endpoint}  (region ${i.aws.region})`);
  if (i.frontDoor) ctx.out.line(`  the shop      ${i.frontDoor}  (www.shop.example: Route 53 → ALB shop-public → healthy instances)`);
  ctx.out.line(`  real nodes    ${i.realNodes.join(', ') || 'none (simulated nodes only)'}`);
  ctx.out.line(`  kwok nodes    ${i.nodes.join(', ')}`);
  ctx.out.line('');
  ctx.out.line('  try:');
  ctx.out.line(`    kubectl --kubeconfig ${i.kubeconfig} --context ${i.kubeContext} get pods -n shop -o wide`);
  if (i.frontDoor) ctx.out.line(`    curl --connect-to www.shop.example:80:${i.frontDoor.replace(/^http:\/\//, '')} http://www.shop.example/checkout`);
  if (i.realNodes.length) {
    ctx.out.line(`    kubectl --kubeconfig ${i.kubeconfig} --context ${i.kubeContext} -n shop exec deploy/checkout -- wget -qO- http://checkout/checkout`);
    ctx.out.line(`    gameday sandbox shell ${i.realNodes[0]}     # iptables-save, crictl ps, as the node sees them`);
  }
  ctx.out.line(`    export KUBECONFIG=${i.kubeconfig}   # then: kubectl --context ${i.kubeContext} get nodes`);
  ctx.out.line('    gameday sandbox aws -- elbv2 describe-load-balancers   # the runbooks\' aws commands, against the sandbox');
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
          realNodes: s.info?.realNodes,
          frontDoor: s.info?.frontDoor,
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
  if (s.kube) {
    ctx.out.line(`  real nodes Ready ${s.kube.realNodesReady}/${s.kube.realNodes}${s.info?.realNodes.length ? ` (${s.info.realNodes.join(', ')})` : ''} · kwok nodes Ready ${s.kube.nodesReady}/${s.kube.nodes}`);
    ctx.out.line(`  shop/checkout ${s.kube.checkoutReady} · shop/catalog ${s.kube.catalogReady} · kube-system/coredns ${s.kube.dnsReady}`);
  }
  if (s.info) {
    ctx.out.line(`  kubeconfig ${s.info.kubeconfig} (context ${s.info.kubeContext}) · API ${s.info.apiServer}`);
    ctx.out.line(`  AWS ${s.info.aws.endpoint} (${s.info.aws.region}) · environment "${s.info.envName}"`);
    if (s.info.frontDoor) ctx.out.line(`  the shop: curl --connect-to www.shop.example:80:${s.info.frontDoor.replace(/^http:\/\//, '')} http://www.shop.example/checkout`);
  }
  return s.healthy ? EXIT.ok : EXIT.refused;
}

async function shell(ctx: CommandContext, node: string | undefined, command: string[]): Promise<number> {
  const { sandboxShellTarget } = await import('../../sandbox/sandbox.js');
  const { spawnSync } = await import('node:child_process');
  const t = sandboxShellTarget(node);
  if (command.length === 0 && !process.stdin.isTTY) throw new GamedayError('INVALID_INPUT', 'no terminal for an interactive shell', { hint: `give a command: gameday sandbox shell ${t.name} -- iptables-save` });
  if (command.length === 0) ctx.out.error(`inside ${t.name} (network, mounts, hostname); exit or Ctrl-D to leave`);
  const r = spawnSync('nsenter', ['-t', String(t.pid), '-m', '-u', '-n', '--', ...(command.length ? command : ['bash', '--norc', '-i'])], {
    stdio: 'inherit',
    env: { ...process.env, ...t.env, PS1: `[${t.name}] \\w# ` },
  });
  if (r.error) throw new GamedayError('BACKEND_FAILED', `cannot enter ${t.name}: ${r.error.message}`, { hint: 'nsenter (util-linux) and root are needed' });
  return r.status ?? 1;
}

/** `gameday sandbox aws -- elbv2 describe-load-balancers …`: the runbooks' `aws` commands, against the sandbox. */
async function aws(args: string[]): Promise<number> {
  const { sandboxAwsCli } = await import('../../sandbox/sandbox.js');
  const { spawnSync } = await import('node:child_process');
  const cli = sandboxAwsCli();
  const r = spawnSync(cli.command, [...cli.args, ...args], { stdio: 'inherit', env: { ...process.env, ...cli.env } });
  if (r.error) throw new GamedayError('BACKEND_FAILED', `cannot run the sandbox's AWS CLI (${cli.command}): ${r.error.message}`, { hint: 'gameday sandbox provision' });
  return r.status ?? 1;
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
