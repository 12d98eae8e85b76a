// What kernel AIO can do here, found by trying each feature on a scratch file (never by
// guessing from the kernel version): io_setup, FSYNC/FDSYNC, POLL, RWF_NOWAIT, IOPRIO,
// io_pgetevents, the backend @aio/core will use, and O_DIRECT for a given path.
// (Over 250 lines: one short function per feature probed, and the report's documented type.)
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AioError,
  addressOf,
  aioLimits,
  decodeIoEvent,
  EFD,
  encodeIocb,
  eventfd,
  FdPoller,
  InvalidArgTypeError,
  IOCB_CMD,
  IOCB_FLAG,
  IOPRIO_CLASS,
  type IocbInit,
  io_destroy,
  io_getevents,
  io_pgetevents,
  io_setup,
  io_submit,
  ioprioValue,
  POLL,
  RWF,
} from '@aio/bind';
import { allocAligned } from '../aligned.js';
import { directAlignmentSync } from '../direct.js';
import type { Backend } from '../engine/waker.js';
import { opcode } from '../opcodes.js';

/** Whether a feature works, and what was seen. */
export interface Support {
  supported: boolean;
  /** 'ok', or the error code the kernel answered. */
  detail: string;
}

/** What probe() found. */
export interface ProbeReport {
  kernel: string;
  arch: string;
  node: string;
  /** io_setup works (AIO compiled in and not filtered). */
  aio: Support;
  /** /proc/sys/fs/aio-nr and aio-max-nr, or null without /proc. */
  limits: { nr: number; maxNr: number } | null;
  fsync: Support;
  fdsync: Support;
  poll: Support;
  nowait: Support;
  ioprio: Support;
  /** io_pgetevents works (container seccomp filters often refuse it with EPERM). */
  pgetevents: Support;
  /** How @aio/core contexts will be woken. */
  backend: Backend;
  /** O_DIRECT and buffered RWF_NOWAIT on the path's filesystem, when a path was given. */
  path: null | {
    path: string;
    filesystem: string;
    direct: Support & { memory?: number; offset?: number; source?: string };
    /**
     * Buffered reads with RWF_NOWAIT (what @aio/core submits first: without it, every buffered
     * read of this filesystem goes to the threadpool). 'ok' or 'ok (not cached)' when it works.
     */
    nowait: Support;
  };
}

const NOW = { tv_sec: 0, tv_nsec: 0 };
const SECOND = { tv_sec: 1, tv_nsec: 0 };

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

/**
 * Buffers the kernel may be using during probe requests. A request that did not complete within
 * its second is waited for by io_destroy, so they are released only after it (see probe()).
 */
const pinned = new Set<unknown>();

/** Submits one iocb on `ctx` and waits up to a second for its result. */
function tryIocb(ctx: bigint, fields: IocbInit, buffers: readonly unknown[]): Support {
  for (const b of buffers) pinned.add(b);
  try {
    io_submit(ctx, [encodeIocb(new Uint8Array(64), fields)]);
    const events = new Uint8Array(32);
    if (io_getevents(ctx, 1, 1, events, SECOND) === 0) {
      return { supported: false, detail: 'no completion within 1 s' };
    }
    const { res } = decodeIoEvent(events);
    if (res >= 0) return { supported: true, detail: 'ok' };
    return {
      supported: false,
      detail: new AioError(-res, opcode(fields.aio_lio_opcode ?? IOCB_CMD.PREAD).syscall).code,
    };
  } catch (error) {
    return { supported: false, detail: codeOf(error) };
  }
}

function filesystemOf(path: string): string {
  try {
    const real = realpathSync(path);
    let best = { mount: '', type: 'unknown' };
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      const mount = left?.split(' ')[4];
      const type = right?.split(' ')[0];
      if (!mount || !type) continue;
      const inside = real === mount || real.startsWith(mount.endsWith('/') ? mount : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}

/**
 * One buffered RWF_NOWAIT read of the path (a file) or of a scratch file in it (a directory).
 * EAGAIN means it works and the data was not cached; EOPNOTSUPP that the filesystem refuses it.
 */
function probeNowait(ctx: bigint, path: string): Support {
  let fd = -1;
  let scratch: string | null = null;
  try {
    let target = path;
    if (statSync(path).isDirectory()) {
      scratch = join(path, `.aio-nowait-probe-${process.pid}-${Date.now()}`);
      writeFileSync(scratch, Buffer.alloc(4096, 1));
      target = scratch;
    }
    fd = openSync(target, 'r');
    const buf = allocAligned(4096);
    const result = tryIocb(
      ctx,
      {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(buf),
        aio_nbytes: 4096,
        aio_rw_flags: RWF.NOWAIT,
      },
      [buf],
    );
    if (!result.supported && result.detail === 'EAGAIN')
      return { supported: true, detail: 'ok (not cached)' };
    return result;
  } catch (error) {
    return { supported: false, detail: codeOf(error) };
  } finally {
    if (fd >= 0) closeSync(fd);
    if (scratch !== null) rmSync(scratch, { force: true });
  }
}

function probeDirect(path: string): NonNullable<ProbeReport['path']>['direct'] {
  try {
    const a = directAlignmentSync(path);
    return { supported: true, detail: 'ok', memory: a.memory, offset: a.offset, source: a.source };
  } catch (error) {
    return { supported: false, detail: codeOf(error) };
  }
}

function probeCommands(
  ctx: bigint,
  dir: string,
): Pick<ProbeReport, 'fsync' | 'fdsync' | 'poll' | 'nowait' | 'ioprio' | 'pgetevents'> {
  const file = join(dir, 'probe.bin');
  writeFileSync(file, Buffer.alloc(4096, 1));
  const fd = openSync(file, 'r+');
  const efd = eventfd(1, EFD.NONBLOCK | EFD.CLOEXEC); // count 1: readable, so POLLIN is ready
  const buf = allocAligned(4096);
  try {
    const read = {
      aio_lio_opcode: IOCB_CMD.PREAD,
      aio_fildes: fd,
      aio_buf: addressOf(buf),
      aio_nbytes: 4096,
    };
    let pgetevents: Support;
    try {
      io_pgetevents(ctx, 0, 1, new Uint8Array(32), NOW, 0n);
      pgetevents = { supported: true, detail: 'ok' };
    } catch (error) {
      pgetevents = { supported: false, detail: codeOf(error) };
    }
    return {
      fsync: tryIocb(ctx, { aio_lio_opcode: IOCB_CMD.FSYNC, aio_fildes: fd }, []),
      fdsync: tryIocb(ctx, { aio_lio_opcode: IOCB_CMD.FDSYNC, aio_fildes: fd }, []),
      poll: tryIocb(ctx, { aio_lio_opcode: IOCB_CMD.POLL, aio_fildes: efd, aio_buf: POLL.IN }, []),
      nowait: tryIocb(ctx, { ...read, aio_rw_flags: RWF.NOWAIT }, [buf]),
      ioprio: tryIocb(
        ctx,
        { ...read, aio_flags: IOCB_FLAG.IOPRIO, aio_reqprio: ioprioValue(IOPRIO_CLASS.BE, 4) },
        [buf],
      ),
      pgetevents,
    };
  } finally {
    closeSync(fd);
    closeSync(efd);
  }
}

const UNTESTED: Support = { supported: false, detail: 'untested: io_setup failed' };

/**
 * Finds out what kernel AIO can do on this machine (scratch files go to os.tmpdir()), and, for
 * `path`, whether its filesystem takes O_DIRECT and RWF_NOWAIT. Synchronous: each command is
 * waited for with io_getevents, up to a second when the kernel does not complete it; for CLIs
 * and start-up checks, not for a busy event loop.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `path` is not a string.
 */
export function probeSync(path?: string): ProbeReport {
  if (path !== undefined && typeof path !== 'string') {
    throw new InvalidArgTypeError('path', 'a string (a file or directory)', path);
  }
  let limits: ProbeReport['limits'] = null;
  try {
    limits = aioLimits();
  } catch {}
  const report: ProbeReport = {
    kernel: `Linux ${release()}`,
    arch: process.arch,
    node: process.version,
    aio: { supported: false, detail: '' },
    limits,
    fsync: UNTESTED,
    fdsync: UNTESTED,
    poll: UNTESTED,
    nowait: UNTESTED,
    ioprio: UNTESTED,
    pgetevents: UNTESTED,
    backend: FdPoller.available ? 'poll' : 'threadpool',
    path:
      path === undefined
        ? null
        : {
            path,
            filesystem: filesystemOf(path),
            direct: probeDirect(path),
            nowait: UNTESTED,
          },
  };
  let ctx: bigint;
  try {
    ctx = io_setup(8);
    report.aio = { supported: true, detail: 'ok' };
  } catch (error) {
    report.aio = { supported: false, detail: codeOf(error) };
    return report;
  }
  const dir = mkdtempSync(join(tmpdir(), 'aio-probe-'));
  try {
    Object.assign(report, probeCommands(ctx, dir));
    if (report.path !== null) report.path.nowait = probeNowait(ctx, path!);
  } finally {
    io_destroy(ctx);
    pinned.clear();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

/**
 * probeSync() behind a Promise.
 * @deprecated It runs synchronously, blocking up to a second per command (the name said
 * otherwise): call probeSync(). Kept for one release.
 */
export async function probe(path?: string): Promise<ProbeReport> {
  return probeSync(path);
}
