/**
 * `gameday report` in md, json and junit on recorded journals, compared byte for byte with the
 * goldens in test/golden/report/ (UPDATE_GOLDEN=1 rewrites them and the fixture journals; read the
 * diff before committing it). The journals are read back through the real store, checksums and all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalStore } from '../../../src/adapters/journal-store.js';
import { renderReport, type ReportFormat } from '../../../src/report/index.js';
import { tmp } from '../../helpers/drill.js';
import { FIXTURE_JOURNALS, FIXTURE_STATE_DIR, recordFixture, rerecordFixtures, type FixtureName } from '../../helpers/fixture-journals.js';
import { expectGolden, GOLDEN_DIR, readGolden, updatingGoldens } from '../../helpers/golden.js';

const FORMATS: [ReportFormat, string][] = [['md', 'md'], ['json', 'json'], ['junit', 'xml']];
const NAMES = Object.keys(FIXTURE_JOURNALS) as FixtureName[];

if (updatingGoldens()) rerecordFixtures(tmp('gameday-fixtures-'));

function readFixture(name: FixtureName) {
  const read = new JournalStore(FIXTURE_STATE_DIR).read(FIXTURE_JOURNALS[name].drillId);
  expect(read.problems).toEqual([]);
  return read.events;
}

describe('report goldens', () => {
  it.each(NAMES)('the %s fixture journal is what the journal writer records', (name) => {
    const dir = tmp('gameday-fixture-');
    const id = recordFixture(dir, name);
    const checkedIn = join(FIXTURE_STATE_DIR, 'drills', `${id}.jsonl`);
    expect(readFileSync(join(dir, 'drills', `${id}.jsonl`), 'utf8'), `${checkedIn} (UPDATE_GOLDEN=1 re-records it)`).toBe(readGolden(checkedIn));
  });

  for (const name of NAMES) {
    it.each(FORMATS)(`${name}: %s matches its golden`, (format, ext) => {
      expectGolden(join(GOLDEN_DIR, 'report', `${name}.${ext}`), renderReport(readFixture(name), format));
    });
  }
});
