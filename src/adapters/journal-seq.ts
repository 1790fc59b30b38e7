/**
 * Journals written by gameday before appends were serialized (journal-append.ts) can hold two
 * events with one `seq` (two processes appending at once). The fold does not depend on seq being
 * unique: both events are kept and folded in file order. This reports them, once per seq.
 */
import type { DrillEvent } from '../core/events.js';

export function duplicateSeqProblems(events: readonly DrillEvent[], file: string): { file: string; line: number; message: string }[] {
  const seen = new Map<number, number>();
  const out: { file: string; line: number; message: string }[] = [];
  events.forEach((e, i) => {
    const n = (seen.get(e.seq) ?? 0) + 1;
    seen.set(e.seq, n);
    // the parsed events carry no line numbers: `line` is the event's position among them (1-based)
    if (n === 2) out.push({ file, line: i + 1, message: `seq ${e.seq} appears more than once (event #${i + 1}; two processes appended at once, before gameday serialized appends); every event is kept` });
  });
  return out;
}
