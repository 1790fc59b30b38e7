/**
 * Drill notifications (issue 13): a short message at the drill's start, when it is aborted, and
 * with its verdict (and where the report is). Best effort by contract: `notify` never throws and
 * never blocks the drill; `flush` waits, bounded, for what is still being sent before the process
 * exits.
 */
export type DrillNoticeKind = 'start' | 'abort' | 'verdict';

export interface DrillNotice {
  kind: DrillNoticeKind;
  drillId: string;
  env: string;
  scenario?: string;
  text: string;
}

export interface Notifier {
  notify(notice: DrillNotice): void;
  /** resolves once every notice sent so far has been delivered or given up on (each is bounded) */
  flush(): Promise<void>;
}
