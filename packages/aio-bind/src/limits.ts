// System-wide AIO accounting (fs/aio.c): io_setup reserves slots from aio-max-nr; aio-nr is
// what all processes hold now. A context's reservation is larger than the nr_events asked for.
import { readFileSync } from 'node:fs';
import { ffi } from './ffi.js';

/** The system-wide AIO limits. */
export interface AioLimits {
  /** /proc/sys/fs/aio-max-nr: the most event slots all contexts together may reserve. */
  maxNr: number;
  /** /proc/sys/fs/aio-nr: the slots reserved now, by every process. */
  nr: number;
}

function readNumber(name: string): number {
  return Number.parseInt(readFileSync(`/proc/sys/fs/${name}`, 'utf8'), 10);
}

/**
 * Reads /proc/sys/fs/aio-max-nr and /proc/sys/fs/aio-nr.
 * @throws the fs error (ENOENT) when /proc is not mounted.
 */
export function aioLimits(): AioLimits {
  return { maxNr: readNumber('aio-max-nr'), nr: readNumber('aio-nr') };
}

let pageBytes = 0;

/** The size of a memory page (`getpagesize()`): the granularity of the page cache. */
export function pageSize(): number {
  if (pageBytes === 0) pageBytes = ffi().getpagesize() as number;
  return pageBytes;
}
