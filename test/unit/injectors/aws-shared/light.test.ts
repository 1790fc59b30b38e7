/**
 * The registry is loaded by light commands (`list`, `show`, `validate`): the AWS injector modules and
 * the port types may import the SDK for types only. A runtime import would cost ~300 ms per client.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

describe('AWS injectors stay light', () => {
  const sources = [...readdirSync('src/injectors').filter((d) => d.startsWith('aws-')).flatMap((d) => files(join('src/injectors', d))), 'src/ports/aws.ts'];

  it.each(sources)('%s imports @aws-sdk for types only', (file) => {
    const imports = readFileSync(file, 'utf8').match(/^(?:import|export)\s[^;]*?from\s+'[^']+';/gms) ?? [];
    const runtime = imports.filter((i) => i.includes("'@aws-sdk/") && !/^(?:import|export)\s+type\s/.test(i));
    expect(runtime).toEqual([]);
  });

  it('the check sees the injector folders', () => {
    expect(sources.filter((f) => f.endsWith('index.ts')).length).toBeGreaterThanOrEqual(4);
  });
});
