/** `gameday runbook`: the section a scenario links to, formatted for the terminal; one-line errors. */
import { describe, expect, it } from 'vitest';
import { markdownToText } from '../../../src/core/markdown-text.js';
import { checkFiles, scenarioFiles } from '../../../src/drill/scenario-store.js';
import { gamedayInProcess } from '../../helpers/in-process-cli.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const plain = { bold: (s: string) => s, cyan: (s: string) => s, dim: (s: string) => s, yellow: (s: string) => s };
const tagged = { bold: (s: string) => `<b>${s}</b>`, cyan: (s: string) => `<c>${s}</c>`, dim: (s: string) => `<d>${s}</d>`, yellow: (s: string) => `<y>${s}</y>` };

describe('markdownToText', () => {
  it('headings, bullets, inline code, bold, links and fenced commands', () => {
    const md = ['## Node drained', '', '### Diagnose', '- run `kubectl get nodes` **now**', 'see [Nodes](nodes.md#x)', '```', 'kubectl uncordon n1', '```', ''];
    expect(markdownToText(md, plain)).toEqual(['Node drained', '────────────', '', 'Diagnose', '  • run kubectl get nodes now', 'see Nodes (nodes.md#x)', '    kubectl uncordon n1']);
    expect(markdownToText(md, tagged).slice(3, 5)).toEqual(['<b>Diagnose</b>', '  • run <c>kubectl get nodes</c> <b>now</b>']);
  });

  it('a # inside a fenced block is a command comment, not a heading', () => {
    expect(markdownToText(['```', '# not a heading', '```'], plain)).toEqual(['    # not a heading']);
  });
});

const ids = (await checkFiles(scenarioFiles(['scenarios'], ROOT), ROOT)).map((c) => c.scenario!.id);

describe('gameday runbook', () => {

  it.each(ids)('%s: prints its linked section, starting at its heading', async (id) => {
    const r = await gamedayInProcess(['runbook', id], { cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^runbooks/.+\\.md#.+  \\(scenario ${id}\\)$`));
    expect(lines[2]!.length).toBeGreaterThan(3);
    expect(lines[3]).toMatch(/^[─═]+$/);
  });

  it('the new runbooks say where to look, how to diagnose, fix, verify and prevent, and what to ask', async () => {
    for (const id of ['catalog-scaled-to-zero', 'catalog-service-broken', 'node-drained', 'nodeport-blocked', 'weighted-dns-old-stack', 'broker-rebooted']) {
      const r = await gamedayInProcess(['runbook', id], { cwd: ROOT });
      const headings = r.stdout.split('\n').filter((l) => /^(Symptoms|Where to look first|Diagnose|Fix|Verify|Prevent|Debrief questions)$/.test(l));
      expect({ id, headings }).toEqual({ id, headings: ['Symptoms', 'Where to look first', 'Diagnose', 'Fix', 'Verify', 'Prevent', 'Debrief questions'] });
    }
  });

  it('a section by path; a missing heading or scenario is one line naming it (exit 2)', async () => {
    const ok = await gamedayInProcess(['runbook', 'runbooks/services.md#service-has-no-endpoints'], { cwd: ROOT });
    expect(ok.stdout).toContain('Service has no endpoints');
    expect(ok.stdout).not.toContain('(scenario');
    const noHeading = await gamedayInProcess(['runbook', 'runbooks/nodes.md#nope'], { cwd: ROOT });
    expect(noHeading.code).toBe(2);
    expect(noHeading.stderr.split('\n')[0]).toBe('error: runbook runbooks/nodes.md has no heading #nope');
    const noScenario = await gamedayInProcess(['runbook', 'no-such-drill'], { cwd: ROOT });
    expect(noScenario.code).toBe(2);
    expect(noScenario.stderr.split('\n')[0]).toBe('error: no scenario "no-such-drill" in scenarios/');
  });
});
