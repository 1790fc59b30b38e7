/**
 * AWS isolation for integration tests: moto's state is global to a server (one reset wipes it for
 * everyone), so each test file that touches AWS starts its OWN moto server on its own free port
 * (spawned from the provisioned virtualenv, killed in afterAll). Nothing is shared between files or
 * with the running sandbox's endpoint. Start-up takes about a second.
 *
 *   const moto = await startMoto();            // in beforeAll
 *   const world = await seedAws(moto.clients, nodeRefs(3));   // the sandbox's demo world, if wanted
 *   await moto.stop();                          // in afterAll
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsClients } from '../../../src/adapters/aws/clients.js';
import { componentSpecs } from '../../../src/sandbox/components.js';
import { motoServerBin, sandboxPaths } from '../../../src/sandbox/paths.js';
import { localAwsClients, SANDBOX_REGION } from '../../../src/sandbox/seed-aws.js';
import { freePort, spawnComponent, stopProcess, tail, waitHealthy, type ProcessRecord } from '../../../src/sandbox/supervisor.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  region: string;
  clients: AwsClients;
  pid: number;
  log: string;
  stop(): Promise<void>;
}

export async function startMoto(opts: { region?: string } = {}): Promise<MotoServer> {
  const paths = sandboxPaths();
  if (!existsSync(motoServerBin(paths))) {
    throw new Error(`moto_server is missing at ${motoServerBin(paths)}: run \`bash src/sandbox/provision.sh moto\` (npm test does it)`);
  }
  const port = await freePort();
  const spec = componentSpecs(paths, { etcdClient: 0, etcdPeer: 0, apiServer: 0, controllerManager: 0, scheduler: 0, moto: port }).moto;
  const logDir = mkdtempSync(join(tmpdir(), 'gameday-moto-'));
  let rec: ProcessRecord | undefined = spawnComponent(spec, logDir);
  const health = await waitHealthy(spec, rec, 30_000);
  if (!health.healthy) {
    await stopProcess(rec);
    throw new Error(`moto did not start on 127.0.0.1:${port}: ${health.detail}\n${tail(rec.log)}`);
  }
  const region = opts.region ?? SANDBOX_REGION;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients = localAwsClients(endpoint, region);
  return {
    endpoint,
    port,
    region,
    clients,
    pid: rec.pid,
    log: rec.log,
    async stop() {
      await clients.destroy();
      if (rec) await stopProcess(rec, 2000);
      rec = undefined;
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
