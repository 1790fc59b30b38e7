/**
 * Opening files as what they should be. A path a user gives us may be a directory, a FIFO (whose
 * open or read blocks the event loop forever, so not even Ctrl-C gets through), a device, or a
 * huge sparse file. We open without blocking, look at what we opened (fstat on the descriptor, so
 * nothing can swap the file in between), refuse anything that is not a regular file in one line,
 * and check the size before reading a byte.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { GamedayError } from '../core/errors.js';

/** What a non-regular file is, in words a user knows. */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** A file refused or unreadable; `short` says why without the path (for problems that name the file already). */
export class FileReadError extends GamedayError {
  constructor(
    code: 'INVALID_INPUT' | 'NOT_FOUND',
    message: string,
    readonly short: string,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, opts);
  }
}

export interface ReadOptions {
  /** what the file is, for messages: "config file", "scenario", "journal" */
  what: string;
  maxBytes: number;
}

/** Reads a regular file whole, or throws a one-line GamedayError naming the file and what it is instead. */
export function readRegularFile(path: string, opts: ReadOptions): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw openError(path, opts.what, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const short = `this is ${describeFileType(st)}, not a file`;
      throw new FileReadError('INVALID_INPUT', `${opts.what} ${path} is ${describeFileType(st)}, not a file`, short, { hint: `give the path of a regular ${opts.what}` });
    }
    if (st.size > opts.maxBytes) throw tooBig(path, opts, st.size);
    return readAll(fd, st.size, path, opts);
  } catch (e) {
    if (e instanceof GamedayError) throw e;
    throw new FileReadError('INVALID_INPUT', `cannot read ${opts.what} ${path}: ${errnoText(e)}`, `cannot read: ${errnoText(e)}`, { hint: 'check the file and its permissions', cause: e });
  } finally {
    closeSync(fd);
  }
}

const tooBig = (path: string, opts: ReadOptions, size: number) =>
  new FileReadError('INVALID_INPUT', `${opts.what} ${path} is ${size} bytes; ${opts.what}s are at most ${opts.maxBytes}`, `file is ${size} bytes; ${opts.what}s are at most ${opts.maxBytes}`, { hint: `is this really a ${opts.what}?` });

/** Reads up to `max` bytes; the file may grow while we read (a journal being appended to). */
function readAll(fd: number, expected: number, path: string, opts: ReadOptions): Buffer {
  const max = opts.maxBytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(expected - total, max - total + 1)));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > max) throw tooBig(path, opts, total);
  }
  return Buffer.concat(chunks, total);
}

function openError(path: string, what: string, e: unknown): FileReadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileReadError('NOT_FOUND', `${what} not found: ${path}`, 'no such file', { hint: `check the path of the ${what}`, cause: e });
  return new FileReadError('INVALID_INPUT', `cannot open ${what} ${path}: ${errnoText(e)}`, `cannot open: ${errnoText(e)}`, { hint: 'check the file and its permissions', cause: e });
}

/** "permission denied (EACCES)" rather than a raw errno message with the syscall in it. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const known: Record<string, string> = { EACCES: 'permission denied', EPERM: 'not permitted', EISDIR: 'is a directory', ENOTDIR: 'a part of the path is not a directory', ENOENT: 'no such file or directory', ELOOP: 'too many symbolic links', EIO: 'input/output error', ENOSPC: 'no space left on the device', EROFS: 'read-only file system', ENAMETOOLONG: 'name too long' };
  if (err?.code && Object.prototype.hasOwnProperty.call(known, err.code)) return `${known[err.code]} (${err.code})`;
  return err instanceof Error ? err.message.split('\n')[0]! : String(e);
}
