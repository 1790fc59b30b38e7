/**
 * What moto cannot show for `aws.ec2-stop` (its state changes are instant): a revert that meets an
 * instance still `stopping` waits until it is stopped before starting it, then waits for `running`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import * as EC2 from '@aws-sdk/client-ec2';
import { createEc2Port } from '../../../../src/adapters/aws/ec2.js';
import { awsEc2Stop } from '../../../../src/injectors/aws-ec2-stop/index.js';
import { fakeClock, throttled } from '../../../helpers/fake-aws-clock.js';

expect.extend(allCustomMatcher);
const ec2Mock = mockClient(EC2.EC2Client);
const cfg = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
beforeEach(() => ec2Mock.reset());
const state = (name: EC2.InstanceStateName) => ({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: name } }] }] });
const undo = { instanceId: 'i-0abc', name: 'web-1', stateBefore: 'running' };
const ref = { faultId: 'f1', drillId: 'd1', attached: true };

describe('aws.ec2-stop revert timing', () => {
  it('waits for stopping → stopped, starts, waits for pending → running (throttling on the way is retried)', async () => {
    ec2Mock
      .on(EC2.DescribeInstancesCommand)
      .resolvesOnce(state('stopping'))
      .resolvesOnce(state('stopping'))
      .resolvesOnce(state('stopping'))
      .resolvesOnce(state('stopped'))
      .rejectsOnce(throttled('RequestLimitExceeded'))
      .resolvesOnce(state('pending'))
      .resolves(state('running'));
    ec2Mock.on(EC2.StartInstancesCommand).resolves({});
    const clock = fakeClock({});
    (clock.ctx as { ports: unknown }).ports = { ec2: createEc2Port(new EC2.EC2Client(cfg), clock.retry()) };
    const out = await awsEc2Stop.revert(clock.ctx as never, undo, ref);
    expect(out).toMatchObject({ outcome: 'reverted', detail: { instanceId: 'i-0abc', state: 'running' } });
    expect(ec2Mock).toHaveReceivedCommandOnce(EC2.StartInstancesCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(EC2.StartInstancesCommand, { InstanceIds: ['i-0abc'] });
    expect(clock.sleeps).toEqual([1000, 1600, 150, 1000]);
    expect(clock.progress).toEqual([
      'waiting for instance i-0abc (web-1) to be stopped: stopping (0ms)',
      'waiting for instance i-0abc (web-1) to be stopped: stopping (1s)',
      'starting instance i-0abc (web-1)',
      'waiting for instance i-0abc (web-1) to be running: pending (150ms)',
    ]);
  });

  it('an instance that never finishes stopping is a revert failure that can be retried, not a start call', async () => {
    ec2Mock.on(EC2.DescribeInstancesCommand).resolves(state('stopping'));
    const clock = fakeClock({});
    (clock.ctx as { ports: unknown }).ports = { ec2: createEc2Port(new EC2.EC2Client(cfg), clock.retry()) };
    await expect(awsEc2Stop.revert(clock.ctx as never, undo, ref)).rejects.toMatchObject({ code: 'REVERT_FAILED', message: 'instance i-0abc (web-1) is still stopping' });
    expect(ec2Mock).toHaveReceivedCommandTimes(EC2.StartInstancesCommand, 0);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(300_000);
  });
});
