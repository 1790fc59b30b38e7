/**
 * The front door as a process of the sandbox (started by `sandbox up`, stopped by `down`, by pid):
 *
 *   node dist/sandbox/edge/main.js --listen 127.0.0.1:PORT --aws http://127.0.0.1:MOTO --via unix:SOCKET [--region us-east-1]
 *
 * One log line per change (a name's route, a target's health, the AWS endpoint's reachability) on
 * stdout, which the supervisor sends to the sandbox's logs/front-door.log.
 */
import { localAwsClients, SANDBOX_REGION } from '../seed-aws.js';
import { startFrontDoor } from './front-door.js';

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
  const stop = () => {
    log('stopping');
    void door.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: Error) => {
  log(`cannot start: ${e.message}`);
  process.exit(1);
});
