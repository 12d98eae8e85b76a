// What an errno means for each AIO syscall, from the kernel sources (fs/aio.c) and the
// failures users of peer libraries hit most. Keyed by `${syscall} ${code}`.
import { readFileSync } from 'node:fs';

/** What is known about the failing call when the error is built. */
export interface HintContext {
  /** io_setup: the nr_events asked for. */
  nrEvents?: number;
  /** io_submit: index of the failing iocb in the array given. */
  index?: number;
  /** The file descriptor of the failing request. */
  fd?: number;
  /** io_getevents / io_pgetevents: the min_nr and nr given. */
  minNr?: number;
  nr?: number;
}

type Hint = (c: HintContext) => string;

function readProcNumber(name: string): string {
  try {
    return readFileSync(`/proc/sys/fs/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function iocbAt(c: HintContext): string {
  const fd = c.fd === undefined ? '' : ` (fd ${c.fd})`;
  return c.index === undefined ? `The request${fd}` : `iocb ${c.index}${fd}`;
}

const DIRECT_ALIGNMENT =
  'with O_DIRECT, the buffer address, the file offset and the length must all be multiples of ' +
  "the device's logical block size (512 or 4096 bytes; statx STATX_DIOALIGN tells)";

const HINTS: Record<string, Hint> = {
  'io_setup EAGAIN': (c) =>
    `nr_events ${c.nrEvents ?? '?'} does not fit the system-wide limit: /proc/sys/fs/aio-max-nr is ` +
    `${readProcNumber('aio-max-nr')} and ${readProcNumber('aio-nr')} slots are in use (aio-nr). ` +
    'Destroy unused contexts, ask for fewer events, or raise fs.aio-max-nr with sysctl.',
  'io_setup EINVAL': (c) =>
    `nr_events must be at least 1 and within the kernel's limit (it was ${c.nrEvents ?? '?'}), ` +
    'and the output context must start at 0.',
  'io_setup ENOSYS': () =>
    'This kernel has no AIO (CONFIG_AIO=n) or a seccomp filter hides io_setup.',
  'io_setup EPERM': () => 'A seccomp filter (container runtime) refuses io_setup.',
  'io_setup ENOMEM': () => 'The kernel could not allocate the completion ring.',
  'io_destroy EINVAL': () =>
    'The context is not valid: it was never returned by io_setup or was already destroyed.',
  'io_submit EAGAIN': () =>
    'No free slot in the completion ring: reap completions (io_getevents or reapRing) first.',
  'io_submit EBADF': (c) =>
    `${iocbAt(c)} names a file descriptor that is not open, or not open for this command ` +
    '(a write to a read-only fd, a read of a write-only one).',
  'io_submit EINVAL': (c) =>
    `${iocbAt(c)} or the context is invalid: unknown context, unknown aio_lio_opcode, ` +
    'aio_reserved2 not 0, unknown aio_flags, nbytes or offset out of range, or FSYNC/FDSYNC ' +
    'with non-zero buf, nbytes, offset or rw_flags, or a file that cannot do AIO at all (a ' +
    'directory, many /proc files). The kernel stops at the first bad iocb and reports an error ' +
    'only when it accepted none.',
  // Node and libuv name errno 95 ENOTSUP; the kernel headers call it EOPNOTSUPP.
  'io_submit ENOTSUP': (c) =>
    `${iocbAt(c)} asks for something this file does not support: an RWF flag (RWF_NOWAIT ` +
    'on a file without nowait support, an RWF bit the kernel does not know) or the opcode.',
  'io_submit EFAULT': (c) => `${iocbAt(c)} or the iocb pointer array is not readable memory.`,
  'io_submit EPERM': (c) =>
    `${iocbAt(c)} asks for IOPRIO_CLASS_RT without CAP_SYS_ADMIN or CAP_SYS_NICE.`,
  'io_submit EBUSY': (c) => `${iocbAt(c)} cannot be issued now (device busy).`,
  'io_getevents EINVAL': (c) =>
    `The context is invalid (destroyed?), or min_nr ${c.minNr ?? '?'} / nr ${c.nr ?? '?'} ` +
    'are out of range (0 <= min_nr <= nr), or the timeout is malformed.',
  'io_getevents EINTR': () => 'A signal arrived before any event did: call again to keep waiting.',
  'io_getevents EFAULT': () => 'The events buffer or the timeout is not writable memory.',
  'io_pgetevents EINVAL': (c) =>
    `The context is invalid, or min_nr ${c.minNr ?? '?'} / nr ${c.nr ?? '?'} are out of range, ` +
    'or the sigmask size is wrong.',
  'io_pgetevents EINTR': () =>
    'A signal not blocked by the sigmask arrived before any event did: call again.',
  'io_pgetevents EPERM': () =>
    'A seccomp filter (common in containers) refuses io_pgetevents: use io_getevents.',
  'io_pgetevents ENOSYS': () =>
    'io_pgetevents needs Linux 4.18 and may be filtered: use io_getevents.',
  'io_cancel EINVAL': () =>
    'The request is not in flight on this context or cannot be cancelled: only IOCB_CMD_POLL ' +
    'requests are cancellable; reads and writes of regular files are not.',
  'io_cancel EAGAIN': () => 'The request could not be cancelled now.',
  'eventfd2 EINVAL': () => 'Unknown eventfd flags: use EFD.SEMAPHORE, EFD.NONBLOCK, EFD.CLOEXEC.',
  'eventfd2 EMFILE': () => 'The process has no free file descriptor (ulimit -n).',
  'statx EBADF': (c) => `fd ${c.fd ?? '?'} is not an open file descriptor.`,
  'cachestat ENOSYS': () => 'cachestat needs Linux 6.5, and seccomp filters may hide it.',
  'cachestat EBADF': (c) => `fd ${c.fd ?? '?'} is not an open file descriptor.`,
  'cachestat ENOTSUP': (c) =>
    `fd ${c.fd ?? '?'} has no page cache cachestat can read (hugetlbfs, or not a file).`,
  'cachestat EPERM': (c) =>
    `fd ${c.fd ?? '?'} is a file this process may not write and does not own: recent kernels ` +
    'refuse cachestat there (it would reveal what other users read).',
  'IOCB_CMD_PREAD EINVAL': (c) =>
    `The read on fd ${c.fd ?? '?'} was refused: ${DIRECT_ALIGNMENT}. Otherwise the file may not ` +
    'support kernel AIO.',
  'IOCB_CMD_PWRITE EINVAL': (c) =>
    `The write on fd ${c.fd ?? '?'} was refused: ${DIRECT_ALIGNMENT}. Otherwise the file may not ` +
    'support kernel AIO.',
  'IOCB_CMD_PREADV EINVAL': () =>
    `The vectored read was refused: ${DIRECT_ALIGNMENT} (each iovec).`,
  'IOCB_CMD_PWRITEV EINVAL': () =>
    `The vectored write was refused: ${DIRECT_ALIGNMENT} (each iovec).`,
  'IOCB_CMD_PREAD EAGAIN': () =>
    'RWF_NOWAIT was set and the read would have blocked (data not cached, or a pipe or socket ' +
    'with nothing to read).',
  'IOCB_CMD_PWRITE EAGAIN': () =>
    'RWF_NOWAIT was set and the write would have blocked (a full pipe, or allocation needed).',
  'IOCB_CMD_PREAD EBADF': (c) => `fd ${c.fd ?? '?'} is not open for reading.`,
  'IOCB_CMD_PWRITE EBADF': (c) => `fd ${c.fd ?? '?'} is not open for writing.`,
  'IOCB_CMD_PREAD EISDIR': (c) => `fd ${c.fd ?? '?'} is a directory.`,
  'IOCB_CMD_PWRITE ENOSPC': () => 'The filesystem is full.',
  'IOCB_CMD_PWRITEV ENOSPC': () => 'The filesystem is full.',
  'IOCB_CMD_PWRITE EFBIG': () => 'The write would pass the maximum file size.',
  'IOCB_CMD_FSYNC EINVAL': () =>
    'FSYNC needs Linux 4.18, a file that supports fsync, and buf, nbytes, offset and rw_flags 0.',
  'IOCB_CMD_FDSYNC EINVAL': () =>
    'FDSYNC needs Linux 4.18, a file that supports fsync, and buf, nbytes, offset and rw_flags 0.',
  'IOCB_CMD_POLL EINVAL': () =>
    'POLL needs Linux 4.19, a pollable file, an event mask below 0x10000, nbytes, offset and ' +
    'rw_flags 0.',
};

/** The hint for `code` from `syscall`, or undefined when only strerror's text applies. */
export function hintFor(syscall: string, code: string, context: HintContext): string | undefined {
  const hint = HINTS[`${syscall} ${code}`];
  if (hint !== undefined) return hint(context);
  if (code === 'ECANCELED') return 'The request was cancelled (io_cancel or context teardown).';
  if (code === 'ENOTSUP') return 'Not supported by this file or this kernel (EOPNOTSUPP).';
  return undefined;
}
