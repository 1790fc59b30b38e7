/**
 * Builds the probe ports a scenario needs, once, at the edge. Kubernetes and AWS adapters are
 * imported only when a probe of their type is declared; http and tcp need nothing.
 */
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import type { ProbePortName, ProbePorts } from '../../ports/probes.js';

const missing = (name: ProbePortName, env: Environment) =>
  new Proxy({}, {
    get() {
      throw new GamedayError('INVALID_INPUT', `a probe needs the ${name} port, which environment "${env.name}" does not provide`, { hint: name === 'rds' || name === 'alarms' ? 'add an aws section to the environment' : 'add a kube section to the environment' });
    },
  });

export async function buildProbePorts(env: Environment, needs: readonly ProbePortName[]): Promise<ProbePorts & { close(): Promise<void> }> {
  const wanted = new Set(needs);
  const { httpProbePortFor } = await import('./http.js');
  const { tcpProbePort } = await import('./tcp.js');
  const ports = { http: httpProbePortFor(env.resolve), tcp: tcpProbePort, workloads: missing('workloads', env), rds: missing('rds', env), alarms: missing('alarms', env) } as ProbePorts;
  let close = async () => {};
  if (wanted.has('workloads')) {
    const { createWorkloadPort } = await import('./workloads.js');
    ports.workloads = createWorkloadPort(env);
  }
  if (wanted.has('rds') || wanted.has('alarms')) {
    const { awsClientsFor, createAlarmProbePort, createRdsProbePort } = await import('./aws.js');
    const clients = awsClientsFor(env);
    if (wanted.has('rds')) ports.rds = createRdsProbePort(clients);
    if (wanted.has('alarms')) ports.alarms = createAlarmProbePort(clients);
    close = () => clients.destroy();
  }
  return Object.assign(ports, { close });
}
