// The seven request types (linux_aio's blocks) and their typed conversions (change_cmd):
// withCommand() returns a new idle request of the other type, sharing file, buffers,
// position, rwFlags, priority and resfd; the original is untouched.
// (Several public classes: each is a few lines, and withCommand() converts between all of them.)
import { InvalidArgValueError } from '@aio/bind';
import { validateView } from '@aio/bind/internal';
import {
  type FileLike,
  validateBuffers,
  validatePollEvents,
  validatePosition,
} from '../validate.js';
import { AioRequest, assertIdle } from './request.js';

function checkedPosition(position: number | bigint): number | bigint {
  validatePosition(position);
  return position;
}

function checkedBuffers(buffers: readonly ArrayBufferView[]): ArrayBufferView[] {
  validateBuffers(buffers);
  return buffers.slice();
}

function unsupported(from: string, command: string): never {
  throw new InvalidArgValueError('command', command, `is not a conversion of a ${from} request`);
}

/** Commands a single-buffer request converts to. */
export type BufferCommand = 'read' | 'write' | 'readv' | 'writev' | 'fsync' | 'fdsync';
/** Commands a vectored request converts to. */
export type VectorCommand = 'readv' | 'writev' | 'fsync' | 'fdsync';
/** Commands a sync request converts to. */
export type SyncCommand = 'fsync' | 'fdsync';

/** A read or write at a position: what single-buffer and vectored requests share. */
export abstract class PositionedRequest extends AioRequest {
  #position: number | bigint = 0;

  /** Sets the position in a constructor, after the arguments before it were checked. */
  protected initPosition(position: number | bigint): void {
    this.#position = checkedPosition(position);
  }

  /** The file offset. */
  get position(): number | bigint {
    return this.#position;
  }

  set position(position: number | bigint) {
    assertIdle(this);
    this.#position = checkedPosition(position);
  }

  /** The vectored or sync request `command` names, on `buffers` and this position. */
  protected convert(command: string, buffers: readonly ArrayBufferView[]): AioRequest {
    const f = this.file;
    switch (command) {
      case 'readv':
        return this.copyCommonTo(new ReadvRequest(f, buffers, this.#position));
      case 'writev':
        return this.copyCommonTo(new WritevRequest(f, buffers, this.#position));
      case 'fsync':
        return this.copyCommonTo(new FsyncRequest(f));
      case 'fdsync':
        return this.copyCommonTo(new FdsyncRequest(f));
      default:
        return unsupported(this.command, command);
    }
  }
}

/** A read or write of one buffer at a position. */
export abstract class BufferRequest extends PositionedRequest {
  #buffer: ArrayBufferView;

  constructor(file: FileLike, buffer: ArrayBufferView, position: number | bigint) {
    super(file);
    validateView(buffer, 'buffer');
    this.#buffer = buffer;
    this.initPosition(position);
  }

  /** The buffer; its whole length is transferred (use a subarray for a part). */
  get buffer(): ArrayBufferView {
    return this.#buffer;
  }

  set buffer(buffer: ArrayBufferView) {
    assertIdle(this);
    validateView(buffer, 'buffer');
    this.#buffer = buffer;
  }

  withCommand(command: 'read'): ReadRequest;
  withCommand(command: 'write'): WriteRequest;
  withCommand(command: 'readv'): ReadvRequest;
  withCommand(command: 'writev'): WritevRequest;
  withCommand(command: 'fsync'): FsyncRequest;
  withCommand(command: 'fdsync'): FdsyncRequest;
  /** A new idle request of another command on the same file, buffer and position. */
  withCommand(command: BufferCommand): AioRequest {
    if (command === 'read') {
      return this.copyCommonTo(new ReadRequest(this.file, this.#buffer, this.position));
    }
    if (command === 'write') {
      return this.copyCommonTo(new WriteRequest(this.file, this.#buffer, this.position));
    }
    return this.convert(command, [this.#buffer]);
  }
}

/** A vectored read or write (several buffers, one position). */
export abstract class VectorRequest extends PositionedRequest {
  #buffers: ArrayBufferView[];

  constructor(file: FileLike, buffers: readonly ArrayBufferView[], position: number | bigint) {
    super(file);
    this.#buffers = checkedBuffers(buffers);
    this.initPosition(position);
  }

  /** The buffers, filled or drained in order (a copy of the list). */
  get buffers(): ArrayBufferView[] {
    return this.#buffers.slice();
  }

  set buffers(buffers: readonly ArrayBufferView[]) {
    assertIdle(this);
    this.#buffers = checkedBuffers(buffers);
  }

  withCommand(command: 'readv'): ReadvRequest;
  withCommand(command: 'writev'): WritevRequest;
  withCommand(command: 'fsync'): FsyncRequest;
  withCommand(command: 'fdsync'): FdsyncRequest;
  /** A new idle request of another command on the same file, buffers and position. */
  withCommand(command: VectorCommand): AioRequest {
    return this.convert(command, this.#buffers);
  }
}

/** fsync or fdatasync of a file. */
export abstract class SyncRequest extends AioRequest {
  protected override get transfers(): boolean {
    return false;
  }

  withCommand(command: 'fsync'): FsyncRequest;
  withCommand(command: 'fdsync'): FdsyncRequest;
  /** A new idle sync request of the other kind on the same file. */
  withCommand(command: SyncCommand): AioRequest {
    if (command === 'fsync') return this.copyCommonTo(new FsyncRequest(this.file));
    if (command === 'fdsync') return this.copyCommonTo(new FdsyncRequest(this.file));
    return unsupported(this.command, command);
  }
}

/** Reads `buffer.byteLength` bytes at `position` (IOCB_CMD_PREAD). */
export class ReadRequest extends BufferRequest {
  readonly command = 'read' as const;
}

/** Writes `buffer` at `position` (IOCB_CMD_PWRITE). */
export class WriteRequest extends BufferRequest {
  readonly command = 'write' as const;
}

/** Reads into `buffers` in order from `position` (IOCB_CMD_PREADV). */
export class ReadvRequest extends VectorRequest {
  readonly command = 'readv' as const;
}

/** Writes `buffers` in order at `position` (IOCB_CMD_PWRITEV). */
export class WritevRequest extends VectorRequest {
  readonly command = 'writev' as const;
}

/** Flushes data and metadata (IOCB_CMD_FSYNC, Linux 4.18+). */
export class FsyncRequest extends SyncRequest {
  readonly command = 'fsync' as const;
}

/** Flushes data and the metadata needed to read it (IOCB_CMD_FDSYNC, Linux 4.18+). */
export class FdsyncRequest extends SyncRequest {
  readonly command = 'fdsync' as const;
}

/** Waits until the file is ready for `events` (POLL.* bits) once (IOCB_CMD_POLL, Linux 4.19+). */
export class PollRequest extends AioRequest {
  readonly command = 'poll' as const;
  #events: number;

  constructor(file: FileLike, events: number) {
    super(file);
    validatePollEvents(events);
    this.#events = events;
  }

  protected override get transfers(): boolean {
    return false;
  }

  /** The POLL.* event mask. */
  get events(): number {
    return this.#events;
  }

  set events(events: number) {
    assertIdle(this);
    validatePollEvents(events);
    this.#events = events;
  }

  /** A new idle poll request with the same file, events, priority and resfd. */
  withCommand(command: 'poll'): PollRequest {
    if (command !== 'poll') return unsupported('poll', command);
    return this.copyCommonTo(new PollRequest(this.file, this.#events));
  }
}
