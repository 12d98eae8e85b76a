// Page-cache control for the cold and warm cases: evict a file's pages before a cold run
// (posix_fadvise DONTNEED needs no root, unlike drop_caches), make sure a warm run's file is
// cached, and measure residency around every run so a table says what the cache really held.
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync } from 'node:fs';
import { fadviseDontNeed, residentPages } from './native.js';

/** How residency is measured: util-linux fincore where installed, else mincore(2) here. */
export type ResidencyMethod = 'fincore' | 'mincore';

let method: ResidencyMethod | undefined;

export function residencyMethod(): ResidencyMethod {
  if (method === undefined) {
    try {
      execFileSync('fincore', ['--version'], { stdio: 'ignore' });
      method = 'fincore';
    } catch {
      method = 'mincore';
    }
  }
  return method;
}

export const RESIDENCY_LABELS: Record<ResidencyMethod, string> = {
  fincore: 'fincore (util-linux)',
  mincore: 'mincore(2) over an mmap of the file, through koffi (no fincore installed)',
};

function fincoreBytes(paths: string[]): { resident: number; size: number } {
  const out = execFileSync(
    'fincore',
    ['--bytes', '--noheadings', '--output', 'RES,SIZE', ...paths],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let resident = 0;
  let size = 0;
  for (const line of out.trim().split('\n')) {
    const [res, total] = line.trim().split(/\s+/).map(Number);
    resident += res!;
    size += total!;
  }
  return { resident, size };
}

/** The fraction (0-1) of the bytes of `paths` that are in the page cache. */
export function residency(paths: string | string[], how = residencyMethod()): number {
  const list = typeof paths === 'string' ? [paths] : paths;
  if (how === 'fincore') {
    const { resident, size } = fincoreBytes(list);
    return size === 0 ? 1 : Math.min(1, resident / size);
  }
  let pages = 0;
  let resident = 0;
  for (const path of list) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      pages += Math.ceil(size / 4096);
      resident += residentPages(fd, size);
    } finally {
      closeSync(fd);
    }
  }
  return pages === 0 ? 1 : resident / pages;
}

/** Residency of open files through mincore (cheap enough to call inside a measured process). */
export function residencyOfFds(fds: readonly number[]): number {
  let pages = 0;
  let resident = 0;
  for (const fd of fds) {
    const size = fstatSync(fd).size;
    pages += Math.ceil(size / 4096);
    resident += residentPages(fd, size);
  }
  return pages === 0 ? 1 : resident / pages;
}

/** Drops `path` from the page cache; written data is synced first (dirty pages would stay). */
export function evict(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fdatasyncSync(fd);
    fadviseDontNeed(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes `path` fully cached: reads it whole unless (nearly) all of it already is. Checked
 * before every warm run, not once: this VM drops page-cache pages within seconds (a cached
 * 1 GiB file lost 30 MB in 20 s idle), and a buffered read that misses blocks in io_submit.
 */
export function ensureCached(path: string): void {
  if (residency(path) >= 0.999) return;
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  try {
    while (readSync(fd, chunk) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Residency around the runs of a case: [min, max] of the fraction before and after each run. */
export interface Residency {
  before: [number, number];
  after: [number, number];
}

export class ResidencyLog {
  readonly #before: number[] = [];
  readonly #after: number[] = [];

  add(before: number, after: number): void {
    this.#before.push(before);
    this.#after.push(after);
  }

  summary(): Residency | null {
    if (this.#before.length === 0) return null;
    const range = (v: number[]): [number, number] => [Math.min(...v), Math.max(...v)];
    return { before: range(this.#before), after: range(this.#after) };
  }
}

/** "0-0% / 98-100%": residency before / after the runs, as ranges. */
export function residencyCell(r: Residency | null | undefined): string {
  if (!r) return '';
  const pct = (x: number) => `${Math.round(x * 1000) / 10}`;
  const range = ([a, b]: [number, number]) => (pct(a) === pct(b) ? pct(a) : `${pct(a)}-${pct(b)}`);
  return `${range(r.before)}% / ${range(r.after)}%`;
}
