// fs.open-style flags ('r', 'r+', 'w', 'a'... or a number) to open(2) flags.
import { constants } from 'node:fs';
import { InvalidArgValueError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';

const { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY } = constants;

const FLAGS: Record<string, number> = {
  r: O_RDONLY,
  rs: O_RDONLY | O_SYNC,
  sr: O_RDONLY | O_SYNC,
  'r+': O_RDWR,
  'rs+': O_RDWR | O_SYNC,
  'sr+': O_RDWR | O_SYNC,
  w: O_TRUNC | O_CREAT | O_WRONLY,
  wx: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  xw: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  'w+': O_TRUNC | O_CREAT | O_RDWR,
  'wx+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  'xw+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  a: O_APPEND | O_CREAT | O_WRONLY,
  ax: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  xa: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  as: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  sa: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  'a+': O_APPEND | O_CREAT | O_RDWR,
  'ax+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'xa+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'as+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
  'sa+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

/** Flags as `fs.open` takes them. */
export type OpenFlags = keyof typeof FLAGS | (string & {}) | number;

/**
 * open(2) flags for `flags` ('r' when omitted or null), as fs.open takes them.
 * @throws {OutOfRangeError} `ERR_OUT_OF_RANGE` for a number that is not an int32 >= 0;
 * {@link InvalidArgValueError} `ERR_INVALID_ARG_VALUE` for anything else fs.open refuses.
 */
export function parseFlags(flags: unknown, name = 'flags'): number {
  if (flags === undefined || flags === null) return O_RDONLY;
  if (typeof flags === 'number') {
    validateInteger(flags, name, 0, 0x7fff_ffff);
    return flags;
  }
  // As node's stringToFlags: a value of any other type is an unknown flag.
  if (typeof flags !== 'string') throw new InvalidArgValueError(name, flags, 'is invalid');
  const value = FLAGS[flags];
  if (value === undefined)
    throw new InvalidArgValueError(name, flags, 'is not a known fs.open flag');
  return value;
}

/** Whether open(2) flags allow reading / writing / appending. */
export function accessOf(flags: number): { read: boolean; write: boolean; append: boolean } {
  const mode = flags & 3;
  return { read: mode !== O_WRONLY, write: mode !== O_RDONLY, append: (flags & O_APPEND) !== 0 };
}
