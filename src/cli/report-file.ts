/** Writing a report file (`report --out`, `run --report`): one line on failure, never a raw errno. */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoText } from '../adapters/regular-file.js';
import { GamedayError } from '../core/errors.js';

const cannotWrite = (file: string, why: string, cause?: unknown) =>
  new GamedayError('INVALID_INPUT', `cannot write the report to ${file}: ${why}`, { hint: 'give a file in an existing, writable folder', cause });

/** Before a drill starts: a report that could not be written at the end is refused now. */
export function assertReportWritable(file: string): void {
  const folder = dirname(file);
  try {
    if (!statSync(folder).isDirectory()) throw cannotWrite(file, `${folder} is not a folder`);
    accessSync(folder, constants.W_OK);
  } catch (e) {
    if (e instanceof GamedayError) throw e;
    throw cannotWrite(file, errnoText(e), e);
  }
}

export function writeReport(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw cannotWrite(file, errnoText(e), e);
  }
}
