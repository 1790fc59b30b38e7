/**
 * Builds the AWS ports for an environment: only the ones asked for, each SDK package imported on
 * first use. All clients come from the one factory (AwsClients).
 */
import type { Environment } from '../../core/environment.js';
import type { AwsPorts } from '../../ports/aws.js';
import type { PortName } from '../../ports/index.js';
import { AwsClients } from './clients.js';
import { mapUnreachable } from './unreachable.js';

const builders: { [K in keyof AwsPorts]: (clients: AwsClients) => Promise<AwsPorts[K]> } = {
  elbv2: async (c) => (await import('./elbv2.js')).createElbv2Port(await c.get('elbv2')),
  route53: async (c) => (await import('./route53.js')).createRoute53Port(await c.get('route53')),
  rds: async (c) => (await import('./rds.js')).createRdsPort(await c.get('rds')),
  ec2: async (c) => (await import('./ec2.js')).createEc2Port(await c.get('ec2')),
  autoscaling: async (c) => (await import('./autoscaling.js')).createAutoScalingPort(await c.get('autoscaling')),
  mq: async (c) => (await import('./mq.js')).createMqPort(await c.get('mq')),
};

const isAwsPort = (n: string): n is keyof AwsPorts => Object.hasOwn(builders, n);

export async function createAwsPorts(env: Environment, needs: readonly Exclude<PortName, 'kube'>[], clients: AwsClients = AwsClients.forEnvironment(env)): Promise<Partial<AwsPorts>> {
  const ports: Partial<Record<keyof AwsPorts, unknown>> = {};
  for (const need of new Set<string>(needs)) {
    // a connection that never reached AWS is "cannot reach" (exit 3), as on the Kubernetes side
    if (isAwsPort(need)) ports[need] = mapUnreachable(await builders[need](clients), env);
  }
  return ports as Partial<AwsPorts>;
}
