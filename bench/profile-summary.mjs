// Where a process's time went, from the V8 CPU profile(s) `node --cpu-prof --cpu-prof-dir DIR` wrote:
// the sampled total, time idle (waiting on the network or disk), in GC, and the functions and
// source files that took the most time themselves. Used by bench/plan.mjs --profile; also
// `node bench/profile-summary.mjs DIR`.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function summarizeProfiles(dir, { top = 12 } = {}) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const bySelf = new Map();
  const byFile = new Map();
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const us = p.timeDeltas[i] ?? 0;
      const cf = nodes.get(p.samples[i]).callFrame;
      const where = (cf.url || '(native)').replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
      const fn = `${cf.functionName || '(anonymous)'}  ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
      bySelf.set(fn, (bySelf.get(fn) ?? 0) + us);
      byFile.set(where, (byFile.get(where) ?? 0) + us);
      total += us;
    }
  }
  const ms = (us) => `${(us / 1000 / Math.max(1, files.length)).toFixed(0).padStart(6)} ms`;
  const named = (name) => [...bySelf].filter(([k]) => k.startsWith(`${name}  `)).reduce((s, [, v]) => s + v, 0);
  const lines = [`profiles: ${files.length}; per run: sampled ${ms(total).trim()}, idle (waiting) ${ms(named('(idle)')).trim()}, GC ${ms(named('(garbage collector)')).trim()}, program ${ms(named('(program)')).trim()}`];
  lines.push('self time by function:');
  for (const [k, v] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${ms(v)}  ${k}`);
  lines.push('self time by file:');
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${ms(v)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(summarizeProfiles(process.argv[2]));
