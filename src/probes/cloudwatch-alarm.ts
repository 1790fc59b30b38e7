import { failureDetail, type ProbeOf } from './contract.js';

export const cloudwatchAlarmProbe: ProbeOf<'cloudwatch-alarm'> = {
  type: 'cloudwatch-alarm',
  needs: ['alarms'],
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
