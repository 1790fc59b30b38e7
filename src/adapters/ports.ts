/**
 * Builds the ports the planned faults and probes need, once, at the edge. Each adapter module is
 * imported only when one of its ports is asked for.
 */
import type { Environment } from '../core/environment.js';
import type { PortName, PortSet } from '../ports/index.js';

export type PortBuilder = (env: Environment, needs: readonly PortName[]) => Promise<Partial<PortSet>>;

export const buildPorts: PortBuilder = async (env, needs) => {
  const ports: Partial<PortSet> = {};
  const wanted = new Set(needs);
  if (wanted.has('kube' as PortName)) {
    const { createKubePort } = await import('./kube/index.js');
    ports.kube = await createKubePort(env);
  }
  const awsNeeds = [...wanted].filter((n) => n !== 'kube');
  if (awsNeeds.length) {
    const { createAwsPorts } = await import('./aws/index.js');
    Object.assign(ports, await createAwsPorts(env, awsNeeds as Exclude<PortName, 'kube'>[]));
  }
  return ports;
};
