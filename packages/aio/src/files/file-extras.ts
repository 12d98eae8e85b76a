// The FileHandle methods of AioFile that are made of others, as node:fs makes them: readLines
// (readline over a read stream of the file) and readableWebStream (a byte stream reading at
// the file pointer).
import { createInterface, type Interface } from 'node:readline';
import { type ReadableByteStreamController, ReadableStream } from 'node:stream/web';
import { InvalidArgTypeError } from '@aio/bind';
import type { AioFile } from './file.js';
import { InvalidStateError } from './node-errors.js';
import { AioReadStream, type ReadStreamOptions } from './stream-read.js';

/** A read stream of `file`, as FileHandle.createReadStream (`{ ...options, fd: file }`). */
export function readStreamOf(file: AioFile, options?: ReadStreamOptions): AioReadStream {
  return new AioReadStream(undefined, { ...options, fd: file });
}

/** FileHandle.readLines: lines of a read stream of the file, any line ending. */
export function readLinesOf(file: AioFile, options?: ReadStreamOptions): Interface {
  return createInterface({
    input: readStreamOf(file, options),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
}

const locked = new WeakSet<AioFile>();

/**
 * FileHandle.readableWebStream: a byte ReadableStream reading from the file pointer in
 * 16 KiB requests; the file is locked to it (a second call throws ERR_INVALID_STATE).
 */
export function webStreamOf(
  file: AioFile,
  options?: { type?: 'bytes' },
): ReadableStream<Uint8Array> {
  if (file.fd === -1) throw new InvalidStateError('The FileHandle is closed');
  if (locked.has(file)) throw new InvalidStateError('The FileHandle is locked');
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new InvalidArgTypeError('options', 'of type object', options);
  locked.add(file);
  const source = {
    type: 'bytes' as const,
    autoAllocateChunkSize: 16384,
    async pull(controller: ReadableByteStreamController) {
      const request = controller.byobRequest!;
      const view = request.view as Uint8Array;
      const { bytesRead } = await file.read(view, 0, view.byteLength, null);
      if (bytesRead === 0) {
        locked.delete(file);
        controller.close();
      }
      request.respond(bytesRead);
    },
    cancel() {
      locked.delete(file);
    },
  };
  return new ReadableStream(source) as ReadableStream<Uint8Array>;
}
