/**
 * The debrief's look back: the scenario's action items still open from earlier drills, read from
 * every journal the drill can see, so the facilitator can say which are done now. Best effort: a
 * journal that cannot be read leaves its items out; it never stops the debrief.
 */
import { describeError } from '../core/errors.js';
import { history, openActionItems, type TrackedActionItem } from '../core/history.js';
import { summarize } from '../core/summary.js';
import type { JournalPort } from '../ports/journal.js';

export function openItemsOf(journals: Pick<JournalPort, 'scan' | 'readSafely'>, scenario: string, warn: (message: string) => void): TrackedActionItem[] {
  try {
    const summaries = journals
      .scan()
      .ids.map((id) => journals.readSafely(id).events)
      .filter((events) => events.length > 0)
      .map((events) => summarize(events));
    return openActionItems(history(summaries, { scenario }), scenario);
  } catch (e) {
    warn(`could not read the earlier drills' action items: ${describeError(e)}`);
    return [];
  }
}

/** The question listing them, numbered as `pickItems` reads the answer. */
export function closedItemsQuestion(open: readonly TrackedActionItem[]): string {
  const lines = open.map((a, i) => `  ${i + 1}. ${a.task}${a.owner ? ` (@${a.owner})` : ''} — from ${a.startedAt?.slice(0, 10) ?? a.drillId}`);
  return ['Action items of this scenario still open from earlier drills:', ...lines, 'Which are done now? (numbers, e.g. 1,3; empty for none):'].join('\n');
}
