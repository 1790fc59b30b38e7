import type { AwsAccess } from '../core/aws-access.js';
import { failureDetail, type ProbeOf } from './contract.js';

/** Reading an alarm's state (also what an `alarm:` stop condition does). */
export const CLOUDWATCH_ALARM_ACCESS: AwsAccess = { actions: ['cloudwatch:DescribeAlarms'], resources: ['*'], scope: 'read', why: 'steady-state probe or stop condition: the alarm state' };

export const cloudwatchAlarmProbe: ProbeOf<'cloudwatch-alarm'> = {
  type: 'cloudwatch-alarm',
  needs: ['alarms'],
  awsAccess: () => [CLOUDWATCH_ALARM_ACCESS],
  describe: (s) => `CloudWatch alarm ${s.alarm} not in ALARM`,
  async check(spec, { ports, timeoutMs, signal }) {
    try {
      const state = await ports.alarms.alarmState(spec.alarm, { timeoutMs, signal });
      if (state === undefined) return { ok: false, detail: 'alarm not found' };
      return { ok: state !== 'ALARM', detail: state };
    } catch (e) {
      return { ok: false, detail: `API: ${failureDetail(e)}` };
    }
  },
};
