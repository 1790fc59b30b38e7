/**
 * Broker reboot timing that moto cannot model (its RebootBroker changes nothing): RUNNING →
 * REBOOT_IN_PROGRESS → RUNNING with a throttled describe in between, and the bounded give-up. The real MQ
 * adapter over an MQ client mocked with aws-sdk-client-mock; a clock that moves on sleep.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import * as MQ from '@aws-sdk/client-mq';
import { createMqPort } from '../../../../src/adapters/aws/mq.js';
import { awsMqReboot, type MqUndo } from '../../../../src/injectors/aws-mq-reboot/index.js';
import { fakeClock, throttled } from '../../../helpers/fake-aws-clock.js';

expect.extend(allCustomMatcher);
const mqMock = mockClient(MQ.MqClient);
const cfg = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
beforeEach(() => mqMock.reset());

const broker = (BrokerState: MQ.BrokerState): MQ.DescribeBrokerCommandOutput => ({ $metadata: {}, BrokerId: 'b-1', BrokerName: 'shop-mq', BrokerState, DeploymentMode: 'ACTIVE_STANDBY_MULTI_AZ' });
const undo: MqUndo = { brokerId: 'b-1', name: 'shop-mq', stateBefore: 'RUNNING', mode: 'ACTIVE_STANDBY_MULTI_AZ', engine: 'ACTIVEMQ', timeoutMs: 600_000 };
const ref = { faultId: 'f1', drillId: 'd1', attached: true };

function world() {
  const clock = fakeClock({});
  (clock.ctx as { ports: unknown }).ports = { mq: createMqPort(new MQ.MqClient(cfg), clock.retry()) };
  return clock;
}

describe('aws.mq-reboot: measuring the reboot', () => {
  it('sees REBOOT_IN_PROGRESS (through a throttled describe) and reports when the broker runs again', async () => {
    mqMock
      .on(MQ.DescribeBrokerCommand)
      .resolvesOnce(broker('REBOOT_IN_PROGRESS')) // right after the call
      .resolvesOnce(broker('REBOOT_IN_PROGRESS'))
      .rejectsOnce(throttled())
      .resolvesOnce(broker('REBOOT_IN_PROGRESS'))
      .resolves(broker('RUNNING'));
    mqMock.on(MQ.RebootBrokerCommand).resolves({});
    const clock = world();
    const injected = await awsMqReboot.inject(clock.ctx as never, { id: 'b-1', scope: { resource: 'broker shop-mq', optedIn: true }, data: { brokerId: 'b-1', name: 'shop-mq' } }, { timeout: 600_000 }, undo, ref);
    expect(mqMock).toHaveReceivedCommandWith(MQ.RebootBrokerCommand, { BrokerId: 'b-1' });
    expect(injected).toMatchObject({ stateAfterCall: 'REBOOT_IN_PROGRESS' });
    expect((await awsMqReboot.verify(clock.ctx as never, undo, 'injected', ref)).ok).toBe(true);
    const t0 = clock.now();
    const reports: Record<string, unknown>[] = [];
    await awsMqReboot.observe!(clock.ctx as never, undo, JSON.parse(JSON.stringify({ ...injected, requestedAt: t0 })), async (d) => void reports.push(d), ref);
    expect(reports).toEqual([{ broker: 'broker shop-mq (b-1)', state: 'RUNNING', running: true, rebootSeen: true, backAfterMs: clock.now() - t0 }]);
    expect(clock.progress[0]).toBe('waiting for broker shop-mq (b-1) to run again: REBOOT_IN_PROGRESS (150ms)');
  });

  it('gives up after its timeout, still REBOOT_IN_PROGRESS, polling with capped backoff', async () => {
    mqMock.on(MQ.DescribeBrokerCommand).resolves(broker('REBOOT_IN_PROGRESS'));
    const clock = world();
    const reports: Record<string, unknown>[] = [];
    await awsMqReboot.observe!(clock.ctx as never, { ...undo, timeoutMs: 60_000 }, { requestedAt: clock.now() }, async (d) => void reports.push(d), ref);
    expect(reports[0]).toMatchObject({ state: 'REBOOT_IN_PROGRESS', running: false, rebootSeen: true, backAfterMs: 60_000 });
    expect(Math.max(...clock.sleeps)).toBe(10_000);
  });

  it('a broker that failed or vanished is not a reboot (verify says so)', async () => {
    mqMock.on(MQ.DescribeBrokerCommand).resolvesOnce(broker('CRITICAL_ACTION_REQUIRED')).rejects(Object.assign(new Error('gone'), { name: 'NotFoundException', $metadata: { httpStatusCode: 404 } }));
    const clock = world();
    expect(await awsMqReboot.verify(clock.ctx as never, undo, 'injected', ref)).toEqual({ ok: false, detail: 'broker shop-mq (b-1) is CRITICAL_ACTION_REQUIRED' });
    expect(await awsMqReboot.verify(clock.ctx as never, undo, 'injected', ref)).toEqual({ ok: false, detail: 'broker shop-mq (b-1) is not-found' });
  });
});
