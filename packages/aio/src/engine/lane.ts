// The blocking lane: the part of a request that would wait on the event loop's thread runs on
// the libuv threadpool instead, as node:fs runs all of its calls. Measured here (4 KiB reads,
// 32 in flight, 2 s): a node:fs read/readv/write/writev costs a pool round trip of ~10 µs of
// main-thread time (101k ops/s warm, 67k cold) against ~37 µs for a koffi `.async` call of the
// same syscall (53k warm, 25-30k cold), so the node:fs calls are the lane, and an io_submit on
// the pool (kernel lane) only serves what node:fs cannot say: the linux_aio-style submit()
// API, whose events must arrive on the ring, and writes with RWF_DSYNC / RWF_SYNC / a priority.
//
// Every buffer stays referenced by the Op (and by node's own request object) until the call
// returns; node waits for threadpool calls that already run when a worker ends.
import { read, readv, write, writev } from 'node:fs';
import { availableParallelism } from 'node:os';
import { IOCB_CMD } from '@aio/bind';
import type { Op } from './op.js';

/** One kernel call moves at most this much (MAX_RW_COUNT); node:fs refuses lengths >= 2^31. */
const MAX_RW = 0x7fff_f000;

type Done = (op: Op, res: number) => void;

/** Where the rest starts (null: at the fd's own position, for pipes and sockets). Ops at or
 * beyond 2^53 never come here (node:fs takes no bigint position for writes): see laneCanRun. */
function positionOf(op: Op): number | null {
  return op.seekable ? op.position + op.done : null;
}

/** The views of what is left of a vectored op after `op.done` bytes. */
function restOfVectors(op: Op): Uint8Array[] {
  const out: Uint8Array[] = [];
  let skip = op.done;
  const lengths = op.lengths!;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    if (skip >= length) {
      skip -= length;
      continue;
    }
    out.push(new Uint8Array(op.abs![i]!, op.offsets![i]! + skip, length - skip));
    skip = 0;
  }
  return out;
}

/**
 * Copies of cached data share the cores with the event loop's thread: four 1 MiB copies on the
 * pool of a 2-core machine left the loop ticking a 1 ms timer half as often as idle (a read
 * stream of 1 MiB chunks), and two at once were no faster than one (memory bandwidth). At most
 * this many run at once per thread, one core being left to the event loop; the rest wait in
 * order. Reads of data that is not cached (they mostly wait for the device, and several at
 * once keep it busy) are not held back.
 */
const COPIES = Math.max(1, availableParallelism() - 1);
let copying = 0;
const waiting: Array<[Op, Done]> = [];

function released(): void {
  copying--;
  const next = waiting.shift();
  if (next !== undefined) runOnLane(next[0], next[1]);
}

/**
 * Runs what is left of `op` (a read or write, from `op.done` bytes on) on the threadpool;
 * `done(op, res)` gets the bytes moved by this call, or a negative errno.
 */
export function runOnLane(op: Op, done: Done): void {
  if (!op.copy) {
    start(op, done);
  } else if (copying < COPIES) {
    copying++;
    start(op, (o, res) => {
      released();
      done(o, res);
    });
  } else {
    waiting.push([op, done]);
  }
}

function start(op: Op, done: Done): void {
  const callback = (error: NodeJS.ErrnoException | null, bytes: number) => {
    if (error === null) done(op, bytes);
    else done(op, typeof error.errno === 'number' && error.errno < 0 ? error.errno : -5);
  };
  const position = positionOf(op);
  const cmd = op.cmd;
  if (cmd === IOCB_CMD.PREAD || cmd === IOCB_CMD.PWRITE) {
    const length = Math.min(op.length - op.done, MAX_RW);
    // A fresh view made here: node:fs reads nothing the caller could have changed.
    const view = new Uint8Array(op.ab!, op.byteOffset + op.done, length);
    if (cmd === IOCB_CMD.PREAD) read(op.fd, view, 0, length, position, callback);
    else write(op.fd, view, 0, length, position, callback);
    return;
  }
  const views = restOfVectors(op);
  if (cmd === IOCB_CMD.PREADV) readv(op.fd, views, position, callback);
  else writev(op.fd, views, position, callback);
}
