// cachestat(2) (Linux 6.5): how much of a file range is in the page cache, without mapping it.
// Temporary minimal binding for @aio/core's write policy (x86_64 and the generic table: 451).
import { koffi } from './ffi.js';

type Native = ReturnType<ReturnType<typeof koffi.load>['func']>;
const NR: Record<string, number> = { x64: 451, arm64: 451, riscv64: 451, loong64: 451, ppc64: 451 };
let call: Native | null | undefined;
const range = new BigUint64Array(2);
const stat = new BigUint64Array(5);

/**
 * Pages of [offset, offset + length) in the page cache, or -1 when cachestat is unavailable
 * (an old kernel, a filesystem without it, a filter). Allocation-free.
 */
export function cachedPages(fd: number, offset: number, length: number): number {
  if (call === undefined) {
    const nr = NR[process.arch];
    call =
      nr === undefined
        ? null
        : koffi.load(null).func('long syscall(long, unsigned int, void *, void *, unsigned int)');
  }
  if (call === null) return -1;
  range[0] = BigInt(offset);
  range[1] = BigInt(length);
  if ((call(NR[process.arch]!, fd, range, stat, 0) as number) < 0) return -1;
  return Number(stat[0]);
}
