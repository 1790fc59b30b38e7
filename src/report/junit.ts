/** JUnit XML for CI: one test case per objective (skipped when it does not apply), plus one for the drill's completion. */
import type { DrillSummary } from '../core/summary.js';
import { fmt, verdict } from './text.js';

const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export function renderJunit(s: DrillSummary): string {
  const name = s.scenario ?? s.drillId;
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const completed = s.endReason === 'completed';
  if (!completed) failures++;
  cases.push(`    <testcase classname="gameday.${x(name)}" name="drill completed" time="${((s.durationMs ?? 0) / 1000).toFixed(3)}">${completed ? '' : `\n      <failure message="drill ${x(s.endReason ?? 'open')}">${x(s.timeline.at(-1)?.text ?? '')}</failure>\n    `}</testcase>`);
  for (const m of s.measures) {
    const t = ((m.ms ?? 0) / 1000).toFixed(3);
    const caseName = `${m.label}${m.objectiveMs !== undefined ? ` within ${fmt(m.objectiveMs)}` : ''}`;
    let body = '';
    if (!m.applicable || m.objectiveMs === undefined) {
      skipped++;
      body = `\n      <skipped message="${x(!m.applicable ? m.note ?? 'not applicable' : 'no objective')}"/>\n    `;
    } else if (!m.met) {
      failures++;
      body = `\n      <failure message="${x(`${verdict(m)}: ${fmt(m.ms)} against ${fmt(m.objectiveMs)}`)}"/>\n    `;
    }
    cases.push(`    <testcase classname="gameday.${x(name)}" name="${x(caseName)}" time="${t}">${body}</testcase>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gameday" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" timestamp="${x(s.startedAt ?? '')}" time="${((s.durationMs ?? 0) / 1000).toFixed(3)}">`,
    `    <properties><property name="drillId" value="${x(s.drillId)}"/><property name="environment" value="${x(s.env ?? '')}"/><property name="score" value="${s.score}"/><property name="hintsUsed" value="${s.hintsUsed}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
