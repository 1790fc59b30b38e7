/** Builds the AWS ports for an environment. Filled in by the AWS injectors' issue. */
import type { Environment } from '../../core/environment.js';
import type { AwsPorts } from '../../ports/aws.js';
import type { PortName } from '../../ports/index.js';
import { AwsClients } from './clients.js';

export async function createAwsPorts(env: Environment, _needs: Exclude<PortName, 'kube'>[]): Promise<Partial<AwsPorts>> {
  AwsClients.forEnvironment(env);
  return {};
}
