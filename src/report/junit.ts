/**
 * JUnit XML for CI: one test case per objective, plus one for the drill's completion. A missed
 * objective is a failure; one that does not apply, or that the drill stopped before reaching, is
 * skipped (the completion case already fails such a drill, once, with the reason).
 */
import type { DrillSummary, Measure } from '../core/summary.js';
import { fmt, openDrillWarning, verdict } from './text.js';

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

type Case = { name: string; timeMs?: number; failure?: { message: string; text?: string }; skipped?: string };

/** The drill ran to its end; if not, why (its last words, or that its journal has no end). */
function completionCase(s: DrillSummary): Case {
  const timeMs = s.durationMs ?? (s.startedAt && s.lastEventAt ? Date.parse(s.lastEventAt) - Date.parse(s.startedAt) : undefined);
  if (s.endReason === 'completed') return { name: 'drill completed', timeMs };
  if (s.endReason === undefined) return { name: 'drill completed', timeMs, failure: { message: 'no end recorded', text: openDrillWarning(s) } };
  return { name: 'drill completed', timeMs, failure: { message: `drill ${s.endReason}`, text: s.timeline.findLast((t) => t.kind === 'end')?.text } };
}

function measureCase(m: Measure): Case {
  const c: Case = { name: `${m.label}${m.objectiveMs !== undefined ? ` within ${fmt(m.objectiveMs)}` : ''}`, timeMs: m.ms };
  if (!m.applicable) return { ...c, skipped: m.note ?? 'not applicable' };
  if (m.objectiveMs === undefined) return { ...c, skipped: 'no objective' };
  if (m.cutShort) return { ...c, skipped: `not reached: ${m.note ?? ''}` };
  if (m.met) return c;
  const message = m.ms === undefined ? `${verdict(m)}: ${m.note ?? 'did not happen'} (objective ${fmt(m.objectiveMs)})` : `${verdict(m)}: ${fmt(m.ms)} against ${fmt(m.objectiveMs)}`;
  return { ...c, failure: { message } };
}

function caseXml(classname: string, c: Case): string {
  const open = `    <testcase classname="${x(classname)}" name="${x(c.name)}" time="${seconds(c.timeMs)}">`;
  if (c.skipped !== undefined) return `${open}\n      <skipped message="${x(c.skipped)}"/>\n    </testcase>`;
  if (!c.failure) return `${open}</testcase>`;
  const body = c.failure.text === undefined ? `<failure message="${x(c.failure.message)}"/>` : `<failure message="${x(c.failure.message)}">${x(c.failure.text)}</failure>`;
  return `${open}\n      ${body}\n    </testcase>`;
}

export function renderJunit(s: DrillSummary): string {
  const name = s.scenario ?? s.drillId;
  const cases = [completionCase(s), ...s.measures.map(measureCase)];
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const counts = `tests="${cases.length}" failures="${failures}" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gameday" ${counts}>`,
    `  <testsuite name="${x(name)}" ${counts} timestamp="${x(s.startedAt ?? '')}" time="${seconds(cases[0]!.timeMs)}">`,
    `    <properties><property name="drillId" value="${x(s.drillId)}"/><property name="environment" value="${x(s.env ?? '')}"/><property name="score" value="${s.score}"/><property name="hintsUsed" value="${s.hintsUsed}"/></properties>`,
    ...cases.map((c) => caseXml(`gameday.${name}`, c)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
