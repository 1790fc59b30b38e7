import { describe, expect, it } from 'vitest';
import { createAwsPorts } from '../../../../src/adapters/aws/index.js';
import { AwsClients, awsClientConfig } from '../../../../src/adapters/aws/clients.js';
import type { Environment } from '../../../../src/core/environment.js';

const env = (aws: Environment['aws']): Environment => ({
  name: 't',
  critical: false,
  aws,
  guards: { optInLabel: 'a=b', optInTag: 'gameday:enabled=true', protectedNamespaces: [], maxTargets: 10, maxPercent: 50, windows: [] },
  defaultDuration: 1,
  maxDuration: 1,
});

describe('AWS ports factory', () => {
  it('builds only the ports asked for, and ignores names it does not own', async () => {
    const clients = AwsClients.forEnvironment(env({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }));
    const ports = await createAwsPorts(env({ region: 'eu-west-1' }), ['rds', 'ec2', 'probeSomething' as never], clients);
    expect(Object.keys(ports).sort()).toEqual(['ec2', 'rds']);
    expect(typeof ports.rds?.failoverDbCluster).toBe('function');
    await clients.destroy();
  });

  it('a local endpoint always gets dummy credentials (never a real profile’s keys); a real region gets the credential chain', () => {
    expect(awsClientConfig(env({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566', profile: 'prod' }))).toMatchObject({ endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'gameday', secretAccessKey: 'gameday' } });
    const real = awsClientConfig(env({ region: 'eu-west-1', profile: 'gameday' }));
    expect(real).toEqual({ region: 'eu-west-1', profile: 'gameday', maxAttempts: 3 }); // bounded: src/adapters/aws/bounded.ts
    expect(() => awsClientConfig(env(undefined))).toThrow(/has no aws section/);
  });
});
