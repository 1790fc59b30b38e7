import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testMarker } from '../../../src/injectors/test-marker/index.js';
import { contextWith, describeInjectorContract } from '../../helpers/contract-suite.js';

describeInjectorContract('test.marker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gd-marker-'));
  return {
    injector: testMarker,
    ctx: contextWith({}),
    target: { dir, names: 'a' },
    params: {},
    vanish: async (undo) => rmSync(String(undo.path), { force: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
