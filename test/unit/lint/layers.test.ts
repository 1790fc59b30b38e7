/**
 * The layering lint (eslint/layers.js) must fail on a wrong import and on a cycle: a rule that
 * cannot fail would let the next change quietly cross the layers.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import layers, { LAYERS } from '../../../eslint/layers.js';

function lint(root: string, file: string, text: string): string[] {
  const linter = new Linter({ configType: 'flat', cwd: root });
  const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, plugins: { layers }, rules: { 'layers/allowed-imports': 'error', 'layers/no-cycle': 'error' } }] as Linter.Config[];
  return linter.verify(text, config, { filename: file }).map((m) => `${m.ruleId}: ${m.message}`);
}

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gameday-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the layering lint', () => {
  it('refuses core importing the drill, naming both folders', () => {
    const root = project({ 'src/core/a.ts': '', 'src/drill/engine.ts': '' });
    const problems = lint(root, join(root, 'src/core/a.ts'), "import { runDrill } from '../drill/engine.js';\nexport const x = runDrill;\n");
    expect(problems).toEqual(['layers/allowed-imports: src/core may not import src/drill (allowed: nothing but itself): see src/README.md']);
  });

  it('refuses a type-only import and a re-export across the layers too', () => {
    const root = project({ 'src/report/a.ts': '', 'src/drill/host.ts': '' });
    const problems = lint(root, join(root, 'src/report/a.ts'), "import type { DrillHost } from '../drill/host.js';\nexport * from '../drill/host.js';\nexport type H = DrillHost;\n");
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.startsWith('layers/allowed-imports: src/report may not import src/drill'))).toBe(true);
  });

  it('allows an import downward', () => {
    const root = project({ 'src/drill/a.ts': '', 'src/core/clock.ts': '' });
    expect(lint(root, join(root, 'src/drill/a.ts'), "import { sleep } from '../core/clock.js';\nexport const s = sleep;\n")).toEqual([]);
  });

  it('finds a cycle through files inside one layer', () => {
    const root = project({
      'src/core/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/core/b.ts': "import { c } from './c.js';\nexport const b = c;\n",
      'src/core/c.ts': "import { a } from './a.js';\nexport const c = 1;\nexport const d = a;\n",
    });
    const problems = lint(root, join(root, 'src/core/a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    expect(problems).toEqual(['layers/no-cycle: import cycle: core/a.ts → core/b.ts → core/c.ts → core/a.ts']);
  });

  it('every folder of src/ has a rule, and the layers form no loop among themselves', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const folders = readdirSync('src').filter((f) => statSync(join('src', f)).isDirectory());
    expect(folders.filter((f) => !Object.hasOwn(LAYERS, f))).toEqual([]);
    const rules = LAYERS as Record<string, string[]>;
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      (rules[from] ?? []).some((n) => n === to || (!seen.has(n) && (seen.add(n), reaches(n, to, seen))));
    expect(Object.keys(rules).filter((f) => reaches(f, f))).toEqual([]);
  });
});
