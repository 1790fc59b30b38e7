/**
 * A Slack-compatible incoming webhook: each notice is POSTed as `{"text": "..."}` (what Slack,
 * Mattermost and most chat bridges accept). Bounded: every POST gives up after `timeoutMs`; a
 * failure (refused, timeout, non-2xx) is reported to `onFailure` once per notice and otherwise
 * ignored — a dead webhook never fails or delays a drill beyond that bound.
 */
import type { DrillNotice, Notifier } from '../ports/notify.js';

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;

const ICON: Record<DrillNotice['kind'], string> = { start: ':arrow_forward:', abort: ':octagonal_sign:', verdict: ':checkered_flag:' };

export function webhookText(n: DrillNotice): string {
  return `${ICON[n.kind]} gameday ${n.kind}: ${n.scenario ?? 'drill'} on ${n.env} (${n.drillId}) — ${n.text}`;
}

export class WebhookNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();
  constructor(
    private readonly url: string,
    private readonly timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS,
    private readonly onFailure: (message: string) => void = () => {},
  ) {}

  notify(notice: DrillNotice): void {
    const sent = this.post(notice).finally(() => this.pending.delete(sent));
    this.pending.add(sent);
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async post(notice: DrillNotice): Promise<void> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: webhookText(notice) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.onFailure(`webhook answered HTTP ${res.status} to the ${notice.kind} notice`);
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : ((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message);
      this.onFailure(`webhook failed for the ${notice.kind} notice: ${why}`);
    }
  }
}

/** No webhook configured: nothing to send. */
export const silentNotifier: Notifier = { notify: () => {}, flush: async () => {} };
