/**
 * The front door as a process of the sandbox (started by `sandbox up`, stopped by `down`, by pid):
 *
 *   node dist/sandbox/edge/main.js --listen 127.0.0.1:PORT --aws http://127.0.0.1:MOTO --via unix:SOCKET [--region us-east-1]
 *                                  [--cache DIR --api-port PORT]   (and the RDS endpoints follow the
 *                                  writer, the nodes their EC2 instances)
 *
 * One log line per change (a name's route, a target's health, the AWS endpoint's reachability) on
 * stdout, which the supervisor sends to the sandbox's logs/front-door.log.
 */
import { pkiFiles } from '../components.js';
import { setRole } from '../db/postgres.js';
import { sandboxPaths } from '../paths.js';
import { DB_WRITER_SLICE, DB_READER_SLICE } from '../real-node/addons.js';
import { DB_INSTANCES } from '../real-node/layout.js';
import { DB_CLUSTER, localAwsClients, SANDBOX_REGION } from '../seed-aws.js';
import { SHOP_NAMESPACE } from '../seed-kube.js';
import { startFrontDoor } from './front-door.js';
import { kubeAccess, setSliceAddresses } from './kube-endpoints.js';
import { startInstanceFollower } from './instances.js';
import { actOnNode, holdNodeDown } from './node-power.js';
import { startRdsFollower } from './rds-follower.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const log = (m: string) => process.stdout.write(`${new Date().toISOString()} front-door ${m}\n`);

async function main(): Promise<void> {
  const listen = /^(127\.\d+\.\d+\.\d+):(\d+)$/.exec(arg('listen') ?? '');
  const aws = arg('aws');
  const via = arg('via')?.replace(/^unix:/, '');
  if (!listen || !aws || !via) {
    process.stderr.write('usage: main.js --listen 127.0.0.1:PORT --aws http://127.0.0.1:PORT --via unix:SOCKET [--region REGION]\n');
    process.exit(2);
  }
  const clients = localAwsClients(aws, arg('region') ?? SANDBOX_REGION);
  const door = await startFrontDoor({ host: listen[1]!, port: Number(listen[2]), clients, via, log });
  // with --cache and --api-port: the RDS cluster's endpoints follow its writer (rds-follower.ts)
  const cache = arg('cache');
  const apiPort = Number(arg('api-port'));
  const follower = cache && apiPort ? followRds(cache, apiPort, clients) : undefined;
  // and the nodes follow their EC2 instances (instances.ts)
  const nodes = cache && apiPort ? followInstances(cache, apiPort, clients) : undefined;
  const stop = () => {
    follower?.stop();
    nodes?.stop();
    log('stopping');
    void door.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function kubeFor(cache: string, apiPort: number) {
  const pki = pkiFiles(sandboxPaths(cache).pki);
  return kubeAccess({ host: '127.0.0.1', port: apiPort, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
}

function followInstances(cache: string, apiPort: number, clients: ReturnType<typeof localAwsClients>) {
  const p = sandboxPaths(cache);
  const kube = kubeFor(cache, apiPort);
  return startInstanceFollower({ clients, act: (a) => actOnNode(p, kube, a), holdDown: (node, state) => holdNodeDown(p, kube, node, state), log: (m) => log(`ec2 ${m}`) });
}

function followRds(cache: string, apiPort: number, clients: ReturnType<typeof localAwsClients>) {
  const p = sandboxPaths(cache);
  const kube = kubeFor(cache, apiPort);
  return startRdsFollower({
    clients,
    cluster: DB_CLUSTER,
    instances: DB_INSTANCES,
    applyRole: (id, role) => setRole(p, id, role),
    setEndpoints: async (writer, readers) => {
      await setSliceAddresses(kube, SHOP_NAMESPACE, DB_WRITER_SLICE, writer);
      await setSliceAddresses(kube, SHOP_NAMESPACE, DB_READER_SLICE, readers);
    },
    log: (m) => log(`rds ${m}`),
  });
}

main().catch((e: Error) => {
  log(`cannot start: ${e.message}`);
  process.exit(1);
});
