/**
 * The one factory for AWS SDK v3 clients: the standard credential chain (env, profiles, SSO),
 * the environment's region, and its optional local endpoint (the sandbox's moto server).
 * Each SDK package is imported on first use only: light commands never pay for it.
 */
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  profile?: string;
  maxAttempts: number;
}

export function awsClientConfig(env: Environment): AwsClientConfig {
  if (!env.aws) throw new GamedayError('INVALID_INPUT', `environment "${env.name}" has no aws section`, { hint: 'add aws.region (and endpoint for a local emulator) to the environment' });
  const cfg: AwsClientConfig = { region: env.aws.region, maxAttempts: 5 };
  if (env.aws.profile) cfg.profile = env.aws.profile;
  if (env.aws.endpoint) {
    cfg.endpoint = env.aws.endpoint;
    // a local emulator takes any credentials; never let a real profile's keys go to it
    cfg.credentials = { accessKeyId: 'gameday', secretAccessKey: 'gameday' };
  }
  return cfg;
}

const loaders = {
  ec2: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-ec2')).EC2Client(c),
  elbv2: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client(c),
  rds: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-rds')).RDSClient(c),
  // Route 53 is global: the SDK signs for us-east-1 whatever region it is given
  route53: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-route-53')).Route53Client(c),
  cloudwatch: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(c),
  autoscaling: async (c: AwsClientConfig) => new (await import('@aws-sdk/client-auto-scaling')).AutoScalingClient(c),
};
export type AwsServiceName = keyof typeof loaders;
export type AwsClientOf<S extends AwsServiceName> = Awaited<ReturnType<(typeof loaders)[S]>>;

/**
 * The SDK prints a multi-line NodeVersionSupportWarning on stderr at the first client, in the middle
 * of a facilitator's plan output. The SDK version is pinned for Node 20 (package.json), so the notice
 * (about future SDK releases) is noise here; a user who sets the variable themselves keeps their choice.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Clients are cached per environment and service. */
export class AwsClients {
  private readonly cache = new Map<AwsServiceName, Promise<unknown>>();
  constructor(readonly config: AwsClientConfig) {}
  static forEnvironment(env: Environment): AwsClients {
    return new AwsClients(awsClientConfig(env));
  }
  get<S extends AwsServiceName>(service: S): Promise<AwsClientOf<S>> {
    let p = this.cache.get(service);
    if (!p) {
      p = loaders[service](this.config);
      this.cache.set(service, p);
    }
    return p as Promise<AwsClientOf<S>>;
  }
  async destroy(): Promise<void> {
    for (const p of this.cache.values()) ((await p) as { destroy(): void }).destroy();
    this.cache.clear();
  }
}
