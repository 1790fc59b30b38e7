/**
 * The one factory for AWS SDK v3 clients: the standard credential chain (env, profiles, SSO),
 * the environment's region, and its optional local endpoint (the sandbox's moto server).
 * Each SDK package is imported on first use only: light commands never pay for it.
 */
import type { Environment } from '../../core/environment.js';
import { GamedayError } from '../../core/errors.js';
import { boundSend, boundedHandlerOptions, MAX_ATTEMPTS } from './bounded.js';

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  profile?: string;
  maxAttempts: number;
}

export function awsClientConfig(env: Environment): AwsClientConfig {
  if (!env.aws) throw new GamedayError('INVALID_INPUT', `environment "${env.name}" has no aws section`, { hint: 'add aws.region (and endpoint for a local emulator) to the environment' });
  const cfg: AwsClientConfig = { region: env.aws.region, maxAttempts: MAX_ATTEMPTS };
  if (env.aws.profile) cfg.profile = env.aws.profile;
  if (env.aws.endpoint) {
    cfg.endpoint = env.aws.endpoint;
    // a local emulator takes any credentials; never let a real profile's keys go to it
    cfg.credentials = { accessKeyId: 'gameday', secretAccessKey: 'gameday' };
  }
  return cfg;
}

/** Every client's calls are bounded (timeouts, retries, the call scope's abort signal): see bounded.ts. */
const sdkConfig = (c: AwsClientConfig, maxAttempts = c.maxAttempts) => ({ ...c, maxAttempts, requestHandler: boundedHandlerOptions() });
const loaders = {
  ec2: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-ec2')).EC2Client(sdkConfig(c, n)),
  elbv2: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client(sdkConfig(c, n)),
  rds: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-rds')).RDSClient(sdkConfig(c, n)),
  // Route 53 is global: the SDK signs for us-east-1 whatever region it is given
  route53: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-route-53')).Route53Client(sdkConfig(c, n)),
  cloudwatch: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(sdkConfig(c, n)),
  autoscaling: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-auto-scaling')).AutoScalingClient(sdkConfig(c, n)),
  mq: async (c: AwsClientConfig, n?: number) => new (await import('@aws-sdk/client-mq')).MqClient(sdkConfig(c, n)),
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
      const endpoint = this.config.endpoint ?? `AWS ${service} (${this.config.region})`;
      // creates go through a single-attempt twin of the client, made on first use
      const once = (): Promise<{ send(c: unknown, o?: unknown): Promise<unknown> }> => this.single(service);
      p = loaders[service](this.config).then((client) => boundSend(client as unknown as { send(c: unknown, o?: unknown): Promise<unknown> }, once, endpoint));
      this.cache.set(service, p);
    }
    return p as Promise<AwsClientOf<S>>;
  }
  private readonly singles = new Map<AwsServiceName, Promise<unknown>>();
  private single(service: AwsServiceName): Promise<{ send(c: unknown, o?: unknown): Promise<unknown> }> {
    let p = this.singles.get(service);
    if (!p) {
      p = loaders[service](this.config, 1);
      this.singles.set(service, p);
    }
    return p as Promise<{ send(c: unknown, o?: unknown): Promise<unknown> }>;
  }
  async destroy(): Promise<void> {
    for (const p of [...this.cache.values(), ...this.singles.values()]) ((await p) as { destroy(): void }).destroy();
    this.cache.clear();
    this.singles.clear();
  }
}
